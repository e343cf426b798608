/** Messages of a user's account: opening, deposits, deductions, holds and closing. */
package dev.tollgate.api.account;

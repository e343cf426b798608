package dev.tollgate.web.identity;

public class EmailAlreadyRegistered extends RuntimeException {
    public EmailAlreadyRegistered() {
        super("this email is already registered", null, false, false);
    }
}

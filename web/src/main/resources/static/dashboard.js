// Tollgate's dashboard: plain DOM, no inline script (the page's Content-Security-Policy forbids it), and every
// value from the API set as text, never as HTML. The login token lives in this tab's sessionStorage only.
'use strict';

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('tollgate.token');

async function api(method, path, body, headers) {
  const request = { method, headers: Object.assign({}, headers) };
  if (token) request.headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) {
    request.headers['Content-Type'] = 'application/json';
    request.body = JSON.stringify(body);
  }
  const response = await fetch(path, request);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if (response.status === 401 && token) logout();
    const message = data && data.error ? data.error.message + ' (' + data.error.code + ')' : 'HTTP ' + response.status;
    throw new Error(message);
  }
  return data;
}

function notify(message, isError) {
  const box = $('notice');
  box.textContent = message;
  box.className = isError ? 'notice error' : 'notice';
  box.hidden = false;
}

function cell(row, text, numeric) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '' : String(text);
  if (numeric) td.className = 'num';
  row.appendChild(td);
  return td;
}

function fill(tbodyId, items, columns) {
  const body = $(tbodyId);
  body.replaceChildren();
  for (const item of items) {
    const row = document.createElement('tr');
    columns(item, row);
    body.appendChild(row);
  }
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

function guarded(handler) {
  return async (event) => {
    if (event) event.preventDefault();
    try {
      await handler(event);
    } catch (failure) {
      notify(failure.message, true);
    }
  };
}

async function login(email, password) {
  const answer = await api('POST', '/api/auth/login', { email, password });
  token = answer.access_token;
  sessionStorage.setItem('tollgate.token', token);
  await show();
}

function logout() {
  token = null;
  sessionStorage.removeItem('tollgate.token');
  $('app-view').hidden = true;
  $('admin-view').hidden = true;
  $('logout').hidden = true;
  $('login-view').hidden = false;
  $('who').textContent = '';
}

async function show() {
  const me = await api('GET', '/api/auth/me');
  $('who').textContent = me.email + (me.role === 'admin' ? ' (admin)' : '');
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('logout').hidden = false;
  $('admin-view').hidden = me.role !== 'admin';
  await Promise.all([loadBalance(), loadBudget(), loadModels(), loadUsage(), loadHistory(), loadKeys(), loadTeams()]);
  if (me.role === 'admin') await loadAdmin();
}

async function loadBalance() {
  const balance = await api('GET', '/api/credits/balance');
  $('balance').textContent = balance.balance_usd;
  $('held').textContent = balance.held_usd;
  $('available').textContent = balance.available_usd;
}

async function loadBudget() {
  const budget = await api('GET', '/api/credits/budget');
  const limits = [];
  if (budget.daily_limit_usd !== null) limits.push(budget.spent_today_usd + ' of ' + budget.daily_limit_usd + ' USD today');
  if (budget.monthly_limit_usd !== null) limits.push(budget.spent_this_month_usd + ' of ' + budget.monthly_limit_usd + ' USD this month');
  $('budget-status').textContent = limits.length
    ? 'Spent ' + limits.join('; ') + (budget.hard_stop ? ' (calls past a limit are refused).' : ' (alerts only).')
    : 'No limit set. Spent ' + budget.spent_today_usd + ' USD today, ' + budget.spent_this_month_usd + ' USD this month.';
  $('budget-daily').value = budget.daily_limit_usd || '';
  $('budget-monthly').value = budget.monthly_limit_usd || '';
  $('budget-thresholds').value = budget.thresholds_percent.join(', ');
  $('budget-hard-stop').checked = budget.hard_stop;
}

async function loadModels() {
  const models = await api('GET', '/api/ai/models');
  $('offline').hidden = !models.some((m) => m.provider === 'offline');
  const select = $('chat-model');
  select.replaceChildren();
  for (const model of models.filter((m) => m.task === 'Text Generation')) {
    const option = document.createElement('option');
    option.value = model.id;
    option.textContent = model.id + ' — ' + model.input_usd_per_m + ' / ' + model.output_usd_per_m + ' USD per M tokens';
    select.appendChild(option);
  }
}

async function loadUsage() {
  const [stats, daily, tips] = await Promise.all([
    api('GET', '/api/usage/stats?days=30'),
    api('GET', '/api/usage/daily?days=14'),
    api('GET', '/api/usage/recommendations?days=30')]);
  $('usage-total').textContent = stats.total_requests + ' calls, ' + stats.total_input_tokens + ' input and '
    + stats.total_output_tokens + ' output tokens, ' + stats.total_cost_usd + ' USD.';
  fill('usage-by-model', Object.entries(stats.by_model), ([model, t], row) => {
    cell(row, model);
    cell(row, t.requests, true);
    cell(row, t.input_tokens, true);
    cell(row, t.output_tokens, true);
    cell(row, t.cost_usd, true);
  });
  const bars = $('usage-daily');
  bars.replaceChildren();
  const most = Math.max(1e-12, ...daily.map((d) => Number(d.cost_usd)));
  for (const day of daily) {
    const row = document.createElement('div');
    row.className = 'bar-row';
    const label = document.createElement('span');
    label.className = 'day';
    label.textContent = day.date;
    const bar = document.createElement('span');
    bar.className = 'bar';
    // Only the bar's width is approximate; the amount next to it is the exact decimal string.
    bar.style.width = (Number(day.cost_usd) / most * 20) + 'rem';
    const amount = document.createElement('span');
    amount.textContent = day.cost_usd + ' USD, ' + day.requests + ' calls';
    row.append(label, bar, amount);
    bars.appendChild(row);
  }
  const list = $('recommendations');
  list.replaceChildren();
  for (const tip of tips) {
    const item = document.createElement('li');
    item.textContent = tip.model + ' cost ' + tip.cost_usd + ' USD; ' + tip.alternative + ' would have cost '
      + tip.alternative_cost_usd + ' USD for the same tokens (saving ' + tip.saving_usd + ' USD).';
    list.appendChild(item);
  }
  if (!tips.length) {
    const item = document.createElement('li');
    item.textContent = 'Nothing to suggest.';
    list.appendChild(item);
  }
}

async function loadHistory() {
  const page = await api('GET', '/api/credits/transactions?limit=20');
  fill('history', page.items, (item, row) => {
    cell(row, when(item.at));
    cell(row, item.type);
    cell(row, item.amount_usd, true);
    cell(row, item.balance_after_usd, true);
    cell(row, [item.model, item.counterparty, item.description].filter(Boolean).join(' · '));
  });
}

async function loadKeys() {
  const keys = await api('GET', '/api/auth/api-keys');
  fill('keys', keys, (key, row) => {
    cell(row, key.name);
    cell(row, key.prefix);
    cell(row, when(key.created_at));
    cell(row, key.revoked ? 'revoked' : when(key.last_used_at));
    const actions = cell(row, '');
    if (!key.revoked) {
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'secondary';
      revoke.textContent = 'Revoke';
      revoke.addEventListener('click', guarded(async () => {
        await api('DELETE', '/api/auth/api-keys/' + encodeURIComponent(key.id));
        notify('Key ' + key.name + ' revoked.');
        await loadKeys();
      }));
      actions.appendChild(revoke);
    }
  });
}

function teamPath(teamId, rest) {
  return '/api/teams/' + encodeURIComponent(teamId) + (rest ? '/' + rest : '');
}

function teamOptions(selectId, teams) {
  const select = $(selectId);
  select.replaceChildren();
  for (const team of teams) {
    const option = document.createElement('option');
    option.value = team.id;
    option.textContent = team.name;
    select.appendChild(option);
  }
}

async function loadTeams() {
  const teams = await api('GET', '/api/teams');
  const balances = await Promise.all(teams.map((team) => api('GET', teamPath(team.id, 'balance'))));
  fill('teams', teams.map((team, i) => ({ team, balance: balances[i] })), ({ team, balance }, row) => {
    cell(row, team.name);
    cell(row, team.role);
    cell(row, balance.balance_usd, true);
    cell(row, team.account_id);
    const actions = cell(row, '');
    const fund = document.createElement('button');
    fund.type = 'button';
    fund.className = 'secondary';
    fund.textContent = 'Fund';
    fund.addEventListener('click', () => {
      $('transfer-to').value = team.account_id;
      $('transfer-amount').focus();
    });
    actions.appendChild(fund);
  });
  teamOptions('member-team', teams.filter((team) => team.role === 'owner'));
  teamOptions('team-key-team', teams);
}

function failedTo(what) {
  return (failure) => {
    notify('Could not ' + what + ': ' + failure.message, true);
    return [];
  };
}

async function loadAdmin() {
  // Each table on its own: one that fails to load leaves the others (and the session) as they are.
  const [users, projections, teams] = await Promise.all([
    api('GET', '/api/admin/users').catch(failedTo('list users')),
    api('GET', '/api/admin/projections').catch(failedTo('list read models')),
    api('GET', '/api/admin/teams').catch(failedTo('list teams'))]);
  fill('admin-teams', teams, (team, row) => {
    cell(row, team.name);
    cell(row, team.members, true);
    cell(row, team.balance_usd, true);
    cell(row, team.account_id);
  });
  fill('users', users, (user, row) => {
    cell(row, user.email);
    cell(row, user.role);
    cell(row, user.balance_usd, true);
    cell(row, user.id);
  });
  fill('projections', projections, (p, row) => {
    cell(row, p.name);
    cell(row, p.position, true);
    cell(row, p.head, true);
    cell(row, p.status);
  });
}

function thresholds(text) {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  return parts.map((s) => {
    if (!/^\d+$/.test(s)) throw new Error('Alert thresholds are whole percentages, such as 50, 80, 100.');
    return Number(s);
  });
}

function wire() {
  $('login-form').addEventListener('submit', guarded(() => login($('login-email').value, $('login-password').value)));
  $('register').addEventListener('click', guarded(async () => {
    const email = $('login-email').value;
    const password = $('login-password').value;
    await api('POST', '/api/auth/register', { email, password });
    await login(email, password);
    notify('Welcome! Your account is open with a balance of 0.');
  }));
  $('logout').addEventListener('click', logout);
  $('budget-form').addEventListener('submit', guarded(async () => {
    await api('PUT', '/api/credits/budget', {
      daily_limit_usd: $('budget-daily').value.trim() || null,
      monthly_limit_usd: $('budget-monthly').value.trim() || null,
      thresholds_percent: thresholds($('budget-thresholds').value),
      hard_stop: $('budget-hard-stop').checked,
    });
    notify('Budget saved.');
    await loadBudget();
  }));
  $('chat-form').addEventListener('submit', guarded(async () => {
    const answer = await api('POST', '/api/ai/chat', {
      model: $('chat-model').value,
      max_tokens: Number($('chat-max').value),
      messages: [{ role: 'user', content: $('chat-message').value }],
    });
    $('chat-answer').textContent = answer.response;
    $('chat-answer').hidden = false;
    $('chat-cost').textContent = answer.usage.input_tokens + ' input and ' + answer.usage.output_tokens
      + ' output tokens (' + answer.usage.source + '), ' + answer.cost_usd + ' USD; balance ' + answer.balance_usd
      + ' USD. Request ' + answer.request_id + '.';
    await Promise.all([loadBalance(), loadBudget(), loadUsage(), loadHistory()]);
  }));
  $('transfer-form').addEventListener('submit', guarded(async () => {
    const answer = await api('POST', '/api/credits/transfer', {
      to: $('transfer-to').value.trim(),
      amount_usd: $('transfer-amount').value.trim(),
      note: $('transfer-note').value || undefined,
    }, { 'Idempotency-Key': crypto.randomUUID() });
    notify('Transfer ' + answer.status + '; your balance is ' + answer.balance_usd + ' USD.');
    await Promise.all([loadBalance(), loadHistory(), loadTeams()]);
  }));
  $('key-form').addEventListener('submit', guarded(async () => {
    const key = await api('POST', '/api/auth/api-keys', { name: $('key-name').value });
    const shown = $('new-key');
    shown.textContent = 'Your new key (shown only now): ' + key.key;
    shown.hidden = false;
    await loadKeys();
  }));
  $('team-form').addEventListener('submit', guarded(async () => {
    const team = await api('POST', '/api/teams', { name: $('team-name').value.trim() });
    notify('Team ' + team.name + ' created; fund it with a transfer to ' + team.account_id + '.');
    await loadTeams();
  }));
  $('member-form').addEventListener('submit', guarded(async () => {
    const member = await api('POST', teamPath($('member-team').value, 'members'),
      { email: $('member-email').value.trim(), role: $('member-role').value });
    notify(member.email + ' is now a ' + member.role + ' of the team.');
  }));
  $('team-key-form').addEventListener('submit', guarded(async () => {
    const cap = $('team-key-cap').value.trim();
    const key = await api('POST', teamPath($('team-key-team').value, 'api-keys'),
      { name: $('team-key-name').value, spend_cap_usd: cap || undefined });
    const shown = $('new-team-key');
    shown.textContent = 'Your new team key (shown only now' + (key.spend_cap_usd ? ', capped at ' + key.spend_cap_usd
      + ' USD' : '') + '): ' + key.key;
    shown.hidden = false;
  }));
  $('deposit-form').addEventListener('submit', guarded(async () => {
    const answer = await api('POST', '/api/admin/credits/deposit',
      { user_id: $('deposit-user').value.trim(), amount_usd: $('deposit-amount').value.trim() },
      { 'Idempotency-Key': crypto.randomUUID() });
    notify('Deposited; the balance is now ' + answer.balance_usd + ' USD.');
    await Promise.all([loadAdmin(), loadBalance()]);
  }));
  $('ledger-check').addEventListener('click', guarded(async () => {
    const check = await api('GET', '/api/admin/ledger/check');
    $('ledger-result').textContent = check.ok ? 'The ledger is consistent.' : 'Problems: ' + check.problems.join('; ');
  }));
  $('history-csv').addEventListener('click', guarded(async () => {
    const response = await fetch('/api/credits/transactions?format=csv', { headers: { Authorization: 'Bearer ' + token } });
    if (!response.ok) throw new Error('Export failed: HTTP ' + response.status);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = 'transactions.csv';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }));
}

document.addEventListener('DOMContentLoaded', () => {
  wire();
  if (token) show().catch(() => logout());
});

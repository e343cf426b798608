// Tollgate's dashboard: plain DOM, no inline script (the page's Content-Security-Policy forbids it), and every
// value from the API set as text, never as HTML. The login token lives in this tab's sessionStorage only.
'use strict';

const $ = (id) => document.getElementById(id);
const TOKEN = 'tollgate.token';
// A message for the next page load: logging out reloads the page, and a session that expired says so after it.
const NEXT_NOTICE = 'tollgate.notice';
let token = sessionStorage.getItem(TOKEN);
let leaving = false;

class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const UNREACHABLE = 'The server could not be reached; check the connection and try again.';

async function api(method, path, body, headers) {
  const request = { method, headers: Object.assign({}, headers) };
  if (token) request.headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) {
    request.headers['Content-Type'] = 'application/json';
    request.body = JSON.stringify(body);
  }
  let response;
  let text;
  try {
    response = await fetch(path, request);
    text = await response.text();
  } catch (failure) {
    throw new ApiError(UNREACHABLE, 0);
  }
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (notJson) {
    // A proxy's HTML error page, say: the status is all there is to tell.
    data = undefined;
  }
  if (!response.ok) {
    if (response.status === 401 && token) expireSession(data && data.error && data.error.message);
    const error = data && data.error;
    throw new ApiError(error && error.message
      ? error.message + (error.code ? ' (' + error.code + ')' : '')
      : 'HTTP ' + response.status, response.status, error && error.code);
  }
  if (data === undefined) throw new ApiError('HTTP ' + response.status + ': the answer is not JSON.', response.status);
  return data;
}

// Successes go to the polite status region, errors to the alert region; a new action clears both.
function clearNotices() {
  for (const id of ['notice', 'error']) {
    $(id).textContent = '';
    $(id).hidden = true;
  }
}

function notify(message) {
  const box = $('notice');
  box.textContent = message;
  box.hidden = false;
}

function warn(message) {
  const box = $('error');
  box.textContent = box.hidden || !box.textContent ? message : box.textContent + '\n' + message;
  box.hidden = false;
}

function plural(count, noun) {
  return count + ' ' + noun + (Number(count) === 1 ? '' : 's');
}

/** Refills a select with one option per item ([value, label] from optionOf), keeping what was chosen. */
function fillSelect(select, items, optionOf) {
  const chosen = select.value;
  select.replaceChildren();
  for (const item of items) {
    const [value, label] = optionOf(item);
    const option = document.createElement('option');
    option.value = value;
    option.textContent = label;
    select.appendChild(option);
  }
  if (chosen) select.value = chosen;
}

/** A secondary button in a table row's actions cell, named for a screen reader by what it acts on. */
function rowButton(actions, text, label) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.textContent = text;
  button.setAttribute('aria-label', label);
  actions.appendChild(button);
  return button;
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
  append(tbodyId, items, columns);
  if (!items.length) {
    const row = document.createElement('tr');
    row.className = 'empty';
    const td = cell(row, 'Nothing yet.');
    td.className = 'empty';
    td.colSpan = body.closest('table').querySelectorAll('thead th').length;
    body.appendChild(row);
  }
}

// Adds rows below the ones shown (the next page of a list).
function append(tbodyId, items, columns) {
  const body = $(tbodyId);
  for (const item of items) {
    const row = document.createElement('tr');
    columns(item, row);
    body.appendChild(row);
  }
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // randomUUID exists only in secure contexts (https, localhost); a plain-http deployment gets the same from bytes.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}

// One user action at a time per form (or button): its buttons are disabled while the request is in flight, so a
// double click sends one request, and its notice replaces the last one.
function action(owner, handler) {
  return async (event) => {
    if (event) event.preventDefault();
    if (owner.dataset.busy || leaving) return;
    owner.dataset.busy = 'true';
    owner.setAttribute('aria-busy', 'true');
    const buttons = owner.tagName === 'FORM' ? Array.from(owner.querySelectorAll('button')) : [owner];
    for (const button of buttons) button.disabled = true;
    clearNotices();
    try {
      await handler(event);
    } catch (failure) {
      if (!leaving) warn(failure.message);
    } finally {
      delete owner.dataset.busy;
      owner.removeAttribute('aria-busy');
      for (const button of buttons) button.disabled = false;
    }
  };
}

// Money moves with one Idempotency-Key per thing the user means to do: the same form values sent again after an
// unknown outcome (no answer, a 5xx) reuse the key, so the retry cannot move the money twice. A success or a
// refusal (4xx: nothing moved) ends the intent; changed values are a new one.
const intents = new Map();

async function moveMoney(intent, path, body) {
  const fingerprint = JSON.stringify(body);
  let current = intents.get(intent);
  if (!current || current.fingerprint !== fingerprint) {
    current = { fingerprint, key: newKey() };
    intents.set(intent, current);
  }
  try {
    const answer = await api('POST', path, body, { 'Idempotency-Key': current.key });
    intents.delete(intent);
    return answer;
  } catch (failure) {
    if (failure.status >= 400 && failure.status < 500) intents.delete(intent);
    throw failure;
  }
}

// A panel's loader, named for the message when it fails.
function panel(what, load) {
  load.what = what;
  return load;
}

// Loads the given panels side by side; one that fails says so and leaves the others (and the session) as they
// are. Never throws, so a message about what was just done can follow it.
async function refresh(...panels) {
  const results = await Promise.allSettled(panels.map((load) => load()));
  results.forEach((result, i) => {
    if (result.status === 'rejected' && !leaving) warn('Could not load ' + panels[i].what + ': ' + result.reason.message);
  });
}

async function login(email, password) {
  const answer = await api('POST', '/api/auth/login', { email, password });
  token = answer.access_token;
  sessionStorage.setItem(TOKEN, token);
  $('login-password').value = '';
  await show();
}

// Logging out (or a session that expired) reloads the page: whatever the last user saw, typed or was shown once
// (a new key, a chat answer) goes with the old page. Forms are reset first so the browser restores none of it.
function leave(message) {
  leaving = true;
  token = null;
  sessionStorage.removeItem(TOKEN);
  if (message) sessionStorage.setItem(NEXT_NOTICE, message);
  else sessionStorage.removeItem(NEXT_NOTICE);
  for (const form of document.forms) form.reset();
  location.replace(location.pathname);
}

function expireSession(why) {
  // A disabled account is told so; any other refused token has simply run out.
  if (!leaving) leave(why && why.includes('disabled') ? why : 'Your session has expired; please log in again.');
}

let adminPanels = [];

async function show() {
  const me = await api('GET', '/api/auth/me');
  myId = me.id;
  const admin = me.role === 'admin';
  $('who').textContent = me.email + (admin ? ' (admin)' : '');
  $('my-id').textContent = me.id;
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('logout').hidden = false;
  $('admin-view').hidden = !admin;
  adminPanels = admin ? [loadUsers, loadAdminTeams, loadProjections, loadPrices] : [];
  // aria-busy until every panel has loaded (or said why not): assistive technology, and tests, can wait for it.
  $('app-view').setAttribute('aria-busy', 'true');
  try {
    await refresh(loadBalance, loadBudget, loadModels, loadUsage, loadHistory, loadKeys, loadTeams, ...adminPanels);
  } finally {
    $('app-view').removeAttribute('aria-busy');
  }
}

const loadBalance = panel('the balance', async () => {
  const balance = await api('GET', '/api/credits/balance');
  $('balance').textContent = balance.balance_usd;
  $('held').textContent = balance.held_usd;
  $('available').textContent = balance.available_usd;
});

const loadBudget = panel('the budget', async () => {
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
});

const loadModels = panel('the models', async () => {
  const models = await api('GET', '/api/ai/models');
  $('offline').hidden = !models.some((m) => m.provider === 'offline');
  fillSelect($('chat-model'), models.filter((m) => m.task === 'Text Generation'), (model) => [model.id,
    model.id + ' — ' + model.input_usd_per_m + ' / ' + model.output_usd_per_m + ' USD per M tokens']);
});

const loadUsage = panel('the usage', async () => {
  const [stats, daily, tips, logs] = await Promise.all([
    api('GET', '/api/usage/stats?days=30'),
    api('GET', '/api/usage/daily?days=14'),
    api('GET', '/api/usage/recommendations?days=30'),
    api('GET', '/api/usage/logs?limit=20')]);
  $('usage-total').textContent = plural(stats.total_requests, 'call') + ', ' + stats.total_input_tokens + ' input and '
    + stats.total_output_tokens + ' output tokens, ' + stats.total_cost_usd + ' USD.';
  fill('usage-by-model', Object.entries(stats.by_model), ([model, t], row) => {
    cell(row, model);
    cell(row, t.requests, true);
    cell(row, t.input_tokens, true);
    cell(row, t.output_tokens, true);
    cell(row, t.cost_usd, true);
  });
  fill('usage-logs', logs.items, (call, row) => {
    cell(row, when(call.at));
    cell(row, call.model);
    // tokens the provider did not count are Tollgate's estimate, and say so
    const estimated = call.token_source === 'estimate' ? ' (estimated)' : '';
    cell(row, call.input_tokens + estimated, true);
    cell(row, call.output_tokens + estimated, true);
    cell(row, call.cost_usd, true);
    cell(row, call.latency_ms, true);
    cell(row, call.status);
    cell(row, call.request_id).className = 'id';
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
    bar.style.width = (Number(day.cost_usd) / most * 40) + '%';
    const amount = document.createElement('span');
    amount.textContent = day.cost_usd + ' USD, ' + plural(day.requests, 'call');
    row.append(label, bar, amount);
    bars.appendChild(row);
  }
  if (!daily.length) {
    const none = document.createElement('p');
    none.className = 'hint';
    none.textContent = 'Nothing yet.';
    bars.appendChild(none);
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
});

// The history comes a page at a time, newest first; the cursor of the next (older) page, or null at the first entry.
const HISTORY_PAGE = 20;
let historyCursor = null;

function historyRow(item, row) {
  cell(row, when(item.at));
  cell(row, item.type);
  cell(row, item.amount_usd, true);
  cell(row, item.balance_after_usd, true);
  cell(row, [item.model, item.counterparty, item.description].filter(Boolean).join(' · '));
}

function historyPage(page) {
  historyCursor = page.next_cursor || null;
  $('history-more').hidden = !historyCursor;
}

const loadHistory = panel('the history', async () => {
  const page = await api('GET', '/api/credits/transactions?limit=' + HISTORY_PAGE);
  fill('history', page.items, historyRow);
  historyPage(page);
});

const loadKeys = panel('the API keys', async () => {
  const keys = await api('GET', '/api/auth/api-keys');
  fill('keys', keys, (key, row) => {
    cell(row, key.name);
    cell(row, key.prefix);
    cell(row, when(key.created_at));
    cell(row, key.revoked ? 'revoked' : when(key.last_used_at));
    const actions = cell(row, '');
    if (!key.revoked) {
      const revoke = rowButton(actions, 'Revoke', 'Revoke key ' + key.name);
      revoke.addEventListener('click', action(revoke, async () => {
        await api('DELETE', '/api/auth/api-keys/' + encodeURIComponent(key.id));
        // a revoked key's secret, if it is the one just shown, is no use to anyone: off the screen with it
        if ($('new-key').dataset.keyId === key.id) hideNewKey();
        await refresh(loadKeys);
        notify('Key ' + key.name + ' revoked.');
      }));
    }
  });
});

function hideNewKey() {
  const shown = $('new-key');
  shown.textContent = '';
  delete shown.dataset.keyId;
  shown.hidden = true;
}

function teamPath(teamId, rest) {
  return '/api/teams/' + encodeURIComponent(teamId) + (rest ? '/' + rest : '');
}

function teamOptions(selectId, teams) {
  const select = $(selectId);
  const chosen = select.value;
  select.replaceChildren();
  for (const team of teams) {
    const option = document.createElement('option');
    option.value = team.id;
    option.textContent = team.name;
    select.appendChild(option);
  }
  if (chosen) select.value = chosen;
}

const loadTeams = panel('your teams', async () => {
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
    fund.setAttribute('aria-label', 'Fund team ' + team.name);
    fund.addEventListener('click', () => {
      $('transfer-to').value = team.account_id;
      $('transfer-amount').focus();
    });
    actions.appendChild(fund);
  });
  const owned = teams.filter((team) => team.role === 'owner');
  teamOptions('member-team', owned);
  teamOptions('team-key-team', teams);
  // The team forms show only when they can be used: no empty select to choose from.
  $('teams-none').hidden = teams.length > 0;
  $('member-part').hidden = owned.length === 0;
  $('member-none').hidden = teams.length === 0 || owned.length > 0;
  $('team-key-form').hidden = teams.length === 0;
});

// Who is logged in: an admin's own row has no Disable button (the server refuses it anyway).
let myId = null;

const loadUsers = panel('the users', async () => {
  const users = await api('GET', '/api/admin/users');
  fill('users', users, (user, row) => {
    cell(row, user.email);
    cell(row, user.role);
    cell(row, user.balance_usd, true);
    cell(row, user.id);
    cell(row, user.disabled ? 'disabled' : 'active');
    const actions = cell(row, '');
    if (user.id === myId) return;
    const change = user.disabled ? 'enable' : 'disable';
    const button = rowButton(actions, user.disabled ? 'Enable' : 'Disable',
      (user.disabled ? 'Enable ' : 'Disable ') + user.email);
    button.addEventListener('click', action(button, async () => {
      await api('POST', '/api/admin/users/' + encodeURIComponent(user.id) + '/' + change);
      await refresh(loadUsers);
      notify(user.email + (user.disabled ? ' is enabled again.' : ' is disabled: their tokens and keys are refused.'));
    }));
  });
});

const loadAdminTeams = panel('all teams', async () => {
  const teams = await api('GET', '/api/admin/teams');
  fill('admin-teams', teams, (team, row) => {
    cell(row, team.name);
    cell(row, team.members, true);
    cell(row, team.balance_usd, true);
    cell(row, team.account_id);
  });
});

// While a read model is not caught up (a replay runs, say), its row is reloaded every second, for a minute at most.
let projectionsTimer = null;
// The rows are redrawn on each reload: whoever was on a row's button (the keyboard's place, or the button just
// pressed, which its own request disabled) is put back on that row's new button.
let replayFocus = null;
// The read models that share one processor (ADR 51): a replay of one rebuilds them all.
const READ_MODELS = ['balances', 'history', 'usage'];

const loadProjections = panel('the read models', async () => {
  const projections = await api('GET', '/api/admin/projections');
  const inTable = $('projections').contains(document.activeElement);
  const focused = inTable ? document.activeElement.getAttribute('aria-label') : replayFocus;
  replayFocus = null;
  fill('projections', projections, (p, row) => {
    cell(row, p.name);
    cell(row, p.position, true);
    cell(row, p.head, true);
    cell(row, p.status);
    const actions = cell(row, '');
    if (p.replayable) {
      const replay = rowButton(actions, 'Replay', 'Replay ' + p.name);
      replay.addEventListener('click', action(replay, async () => {
        replayFocus = replay.getAttribute('aria-label');
        await api('POST', '/api/admin/projections/' + encodeURIComponent(p.name) + '/replay');
        await refresh(loadProjections);
        // The read models are rebuilt together (they share one processor): said here, or the other rows surprise.
        const together = READ_MODELS.includes(p.name) ? READ_MODELS.filter((name) => name !== p.name) : [];
        notify('Replay of ' + p.name + ' started' + (together.length ? '; ' + together.join(' and ')
          + ' are rebuilt with it.' : '.'));
        watchProjections(60);
      }));
    }
  });
  for (const button of $('projections').querySelectorAll('button')) {
    if (focused && button.getAttribute('aria-label') === focused) button.focus();
  }
  return projections;
});

function watchProjections(rounds) {
  clearTimeout(projectionsTimer);
  projectionsTimer = setTimeout(async () => {
    if (leaving || !token) return;
    try {
      const projections = await loadProjections();
      if (rounds > 1 && projections.some((p) => p.status !== 'caught_up')) watchProjections(rounds - 1);
    } catch (failure) {
      if (!leaving) warn('Could not load the read models: ' + failure.message);
    }
  }, 1000);
}

// The price book's list prices (before the markup); only token-priced models can be changed from the form.
let priceRows = [];

const loadPrices = panel('the prices', async () => {
  const [prices, markup] = await Promise.all([api('GET', '/api/admin/prices'), api('GET', '/api/admin/prices/markup')]);
  priceRows = prices;
  fill('prices', prices, (price, row) => {
    const tokens = price.unit === 'tokens';
    cell(row, price.model);
    cell(row, tokens ? price.input_usd_per_m : '', true);
    cell(row, tokens ? price.output_usd_per_m : '', true);
    cell(row, (price.units || []).map((u) => u.unit_usd + ' per ' + (u.per > 1 ? u.per + ' ' : '') + u.unit).join('; '));
    cell(row, price.effective_at ? when(price.effective_at) : 'catalogue');
  });
  fillSelect($('price-model'), prices.filter((p) => p.unit === 'tokens'), (price) => [price.model, price.model]);
  pricePlaceholders();
  $('markup-status').textContent = 'Markup: ' + markup.basis_points + ' basis points'
    + (markup.effective_at ? ', since ' + when(markup.effective_at) : '') + '.';
  $('markup').placeholder = String(markup.basis_points);
});

// The fields show the chosen model's current prices as placeholders: left empty, a price stays as it is.
function pricePlaceholders() {
  const price = priceRows.find((p) => p.model === $('price-model').value);
  $('price-input').placeholder = price ? price.input_usd_per_m : '';
  $('price-output').placeholder = price ? price.output_usd_per_m : '';
}

function thresholds(text) {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  return parts.map((s) => {
    if (!/^\d+$/.test(s)) throw new Error('Alert thresholds are whole percentages, such as 50, 80, 100.');
    return Number(s);
  });
}

function onSubmit(formId, handler) {
  const form = $(formId);
  form.addEventListener('submit', action(form, handler));
}

function wire() {
  onSubmit('login-form', () => login($('login-email').value, $('login-password').value));
  $('register').addEventListener('click', action($('login-form'), async () => {
    const email = $('login-email').value;
    const password = $('login-password').value;
    await api('POST', '/api/auth/register', { email, password });
    await login(email, password);
    notify('Welcome! Your account is open with a balance of 0.');
  }));
  $('logout').addEventListener('click', () => leave());
  onSubmit('budget-form', async () => {
    await api('PUT', '/api/credits/budget', {
      daily_limit_usd: $('budget-daily').value.trim() || null,
      monthly_limit_usd: $('budget-monthly').value.trim() || null,
      thresholds_percent: thresholds($('budget-thresholds').value),
      hard_stop: $('budget-hard-stop').checked,
    });
    await refresh(loadBudget);
    notify('Budget saved.');
  });
  onSubmit('chat-form', async () => {
    // The last answer belongs to the last question: gone before the next answer, and kept out if that one fails.
    $('chat-answer').hidden = true;
    $('chat-answer').textContent = '';
    $('chat-cost').textContent = '';
    let answer;
    try {
      answer = await api('POST', '/api/ai/chat', {
        model: $('chat-model').value,
        // Left empty, the server's default applies.
        max_tokens: $('chat-max').value.trim() === '' ? undefined : Number($('chat-max').value),
        messages: [{ role: 'user', content: $('chat-message').value }],
      });
    } catch (failure) {
      if (failure.code === 'insufficient_funds') {
        failure.message += '\nA call holds its input and up to Max tokens of output at the model\'s price until it'
          + ' is settled at its real cost: a lower Max tokens needs less, or add credit.';
      }
      throw failure;
    }
    await refresh(loadBalance, loadBudget, loadUsage, loadHistory);
    $('chat-answer').textContent = answer.response;
    $('chat-answer').hidden = false;
    $('chat-cost').textContent = answer.usage.input_tokens + ' input and ' + answer.usage.output_tokens
      + ' output tokens (' + answer.usage.source + '), ' + answer.cost_usd + ' USD; balance ' + answer.balance_usd
      + ' USD. Request ' + answer.request_id + '.';
  });
  onSubmit('transfer-form', async () => {
    const answer = await moveMoney('transfer', '/api/credits/transfer', {
      to: $('transfer-to').value.trim(),
      amount_usd: $('transfer-amount').value.trim(),
      note: $('transfer-note').value || undefined,
    });
    // Sent: the form starts afresh, so that a second click is not a second transfer of the same amount.
    $('transfer-amount').value = '';
    $('transfer-note').value = '';
    await refresh(loadBalance, loadHistory, loadTeams);
    notify('Transfer ' + answer.status + '; your balance is ' + answer.balance_usd + ' USD.');
  });
  onSubmit('key-form', async () => {
    const key = await api('POST', '/api/auth/api-keys', { name: $('key-name').value });
    $('key-name').value = '';
    await refresh(loadKeys);
    const shown = $('new-key');
    shown.textContent = 'Your new key (shown only now): ' + key.key;
    shown.dataset.keyId = key.id;
    shown.hidden = false;
  });
  onSubmit('team-form', async () => {
    const team = await api('POST', '/api/teams', { name: $('team-name').value.trim() });
    $('team-name').value = '';
    await refresh(loadTeams);
    notify('Team ' + team.name + ' created; fund it with a transfer to ' + team.account_id + '.');
  });
  onSubmit('member-form', async () => {
    const member = await api('POST', teamPath($('member-team').value, 'members'),
      { email: $('member-email').value.trim(), role: $('member-role').value });
    notify(member.email + ' is now a ' + member.role + ' of the team.');
  });
  onSubmit('team-key-form', async () => {
    const cap = $('team-key-cap').value.trim();
    const key = await api('POST', teamPath($('team-key-team').value, 'api-keys'),
      { name: $('team-key-name').value, spend_cap_usd: cap || undefined });
    const shown = $('new-team-key');
    shown.textContent = 'Your new team key (shown only now' + (key.spend_cap_usd ? ', capped at ' + key.spend_cap_usd
      + ' USD' : '') + '): ' + key.key;
    shown.hidden = false;
  });
  onSubmit('deposit-form', async () => {
    const user = $('deposit-user').value.trim();
    const answer = await moveMoney('deposit', '/api/admin/credits/deposit',
      { user_id: user, amount_usd: $('deposit-amount').value.trim() });
    $('deposit-amount').value = '';
    await refresh(loadBalance, ...adminPanels);
    notify('Deposited; the balance of ' + user + ' is now ' + answer.balance_usd + ' USD.');
  });
  onSubmit('deduct-form', async () => {
    const user = $('deduct-user').value.trim();
    const answer = await moveMoney('deduct', '/api/admin/credits/deduct', {
      user_id: user,
      amount_usd: $('deduct-amount').value.trim(),
      note: $('deduct-note').value.trim() || undefined,
    });
    $('deduct-amount').value = '';
    $('deduct-note').value = '';
    await refresh(loadBalance, ...adminPanels);
    notify('Deducted; the balance of ' + user + ' is now ' + answer.balance_usd + ' USD.');
  });
  onSubmit('events-form', async () => {
    const account = $('events-user').value.trim();
    // What was shown belongs to the last account asked for: gone before the next answer, kept out if it fails.
    $('account-events').replaceChildren();
    $('events-table').hidden = true;
    const path = '/api/admin/accounts/' + encodeURIComponent(account) + '/events';
    const events = await api('GET', path);
    fill('account-events', events, (event, row) => {
      cell(row, event.sequence, true);
      cell(row, event.type);
      cell(row, when(event.at));
      const payload = cell(row, JSON.stringify(event.payload));
      payload.className = 'payload';
    });
    $('events-table').hidden = false;
    notify(plural(events.length, 'event') + ' of ' + account + '.');
  });
  $('price-model').addEventListener('change', pricePlaceholders);
  onSubmit('price-form', async () => {
    const model = $('price-model').value;
    const body = {};
    if ($('price-input').value.trim()) body.input_usd_per_m = $('price-input').value.trim();
    if ($('price-output').value.trim()) body.output_usd_per_m = $('price-output').value.trim();
    if (!Object.keys(body).length) throw new Error('Give an input price, an output price or both.');
    const price = await api('PUT', '/api/admin/prices/' + encodeURIComponent(model), body);
    $('price-input').value = '';
    $('price-output').value = '';
    await refresh(loadPrices, loadModels);
    notify('Price of ' + model + ' set: ' + price.input_usd_per_m + ' USD per M input and ' + price.output_usd_per_m
      + ' USD per M output tokens.');
  });
  onSubmit('markup-form', async () => {
    const text = $('markup').value.trim();
    if (!/^\d+$/.test(text)) throw new Error('The markup is a whole number of basis points, such as 150 for 1.5 %.');
    const markup = await api('PUT', '/api/admin/prices/markup', { basis_points: Number(text) });
    $('markup').value = '';
    await refresh(loadPrices, loadModels);
    notify('Markup set to ' + markup.basis_points + ' basis points.');
  });
  $('ledger-check').addEventListener('click', action($('ledger-check'), async () => {
    $('ledger-result').textContent = '';
    const check = await api('GET', '/api/admin/ledger/check');
    $('ledger-result').textContent = check.ok ? 'The ledger is consistent.' : 'Problems: ' + check.problems.join('; ');
  }));
  $('history-more').addEventListener('click', action($('history-more'), async () => {
    const page = await api('GET', '/api/credits/transactions?limit=' + HISTORY_PAGE + '&cursor='
      + encodeURIComponent(historyCursor));
    append('history', page.items, historyRow);
    historyPage(page);
    // At the first entry the button goes away: keep the keyboard's place in the section.
    if (!historyCursor) $('history-csv').focus();
  }));
  // A button, not a link: the export needs the login token, which only a script can send.
  $('history-csv').addEventListener('click', action($('history-csv'), async () => {
    let response;
    let blob;
    try {
      response = await fetch('/api/credits/transactions?format=csv', { headers: { Authorization: 'Bearer ' + token } });
      blob = await response.blob();
    } catch (failure) {
      throw new Error(UNREACHABLE);
    }
    if (response.status === 401) {
      expireSession();
      return;
    }
    if (!response.ok) throw new Error('Could not export the history: HTTP ' + response.status);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'transactions.csv';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    notify('History downloaded as transactions.csv.');
  }));
}

// Before anyone logs in, the public health report says which provider answers, so the offline banner is there from
// the first screen; after login the model list confirms it.
async function announceProvider() {
  try {
    const response = await fetch('/actuator/health', { headers: { Accept: 'application/json' } });
    const health = await response.json();
    const provider = health.components && health.components.provider;
    if (provider && provider.details && provider.details.provider === 'offline') $('offline').hidden = false;
  } catch (ignored) {
    // No banner is better than a broken login page.
  }
}

document.addEventListener('DOMContentLoaded', () => {
  wire();
  announceProvider();
  const pending = sessionStorage.getItem(NEXT_NOTICE);
  if (pending) {
    sessionStorage.removeItem(NEXT_NOTICE);
    warn(pending);
  }
  if (token) {
    // Only a 401 ends the session (api() sees to it); any other failure says so and keeps it.
    $('login-view').hidden = true;
    show().catch((failure) => {
      if (leaving) return;
      warn('Could not load your account: ' + failure.message + '. Reload the page to try again.');
      $('logout').hidden = false;
    });
  }
});

// The factstream web page: plain modules, no build step. Everything it shows comes from the gateway's API:
// commands over POST, views over Server-Sent Events (the browser resumes them with Last-Event-ID by itself).

const $ = (selector) => document.querySelector(selector);
const euros = (cents) => cents == null ? '–' : (cents / 100).toLocaleString('en', {style: 'currency', currency: 'EUR'});
const escape = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
const SIZE = {SMALL: 'S', MEDIUM: 'M', LARGE: 'L'};
const title = (name) => String(name).toLowerCase().replace(/(^|[\s_])\w/g, (c) => c.toUpperCase()).replaceAll('_', ' ');
const STATUSES = ['PLACED', 'CONFIRMED', 'DISPATCHED', 'COMPLETED', 'CANCELLED', 'REJECTED'];

let me = null;
let menu = null;
let feeds = [];      // the live feeds of the page on show, closed when it changes
let timers = [];

async function api(method, path, body, headers = {}) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? headers : {'Content-Type': 'application/json', ...headers},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = response.status === 204 ? null : await response.json().catch(() => null);
  return {status: response.status, json, headers: response.headers};
}

/** A live view: calls onRow with every row version, newest version per key only; shows its state in `badge`. */
function live(path, badge, onRow) {
  const versions = new Map();
  const source = new EventSource(path);
  source.addEventListener('row', (message) => {
    const row = JSON.parse(message.data);
    if ((versions.get(row.key) ?? -1) >= row.version) return;
    versions.set(row.key, row.version);
    onRow(row);
  });
  source.addEventListener('end', () => badge.textContent = 'reconnecting…');
  source.onopen = () => { badge.textContent = 'live'; badge.classList.add('on'); };
  source.onerror = () => { badge.textContent = 'reconnecting…'; badge.classList.remove('on'); };
  feeds.push(source);
  return source;
}

function every(ms, action) {
  timers.push(setInterval(action, ms));
}

function describe(outcome, response) {
  if (response.status === 201) return {ok: true, text: outcome.message};
  const json = response.json ?? {};
  if (response.status === 202) return {ok: true, text: 'Sent; still being decided. It will show up here.'};
  const reason = json.reason ?? json.error ?? `HTTP ${response.status}`;
  return {ok: false, text: `${reason.replaceAll('_', ' ').toLowerCase()}: ${json.message ?? ''}`};
}

function showOutcome(element, result) {
  element.textContent = result.text;
  element.className = 'outcome ' + (result.ok ? 'good' : 'bad');
}

async function send(context, id, command, body, headers = {}) {
  return api('POST', `/api/${context}/${encodeURIComponent(id)}/${command}`, body, headers);
}

// ---- pages ----------------------------------------------------------------------------------------------------

const pages = {
  login() {
    $('#login-user').focus();
  },

  board() {
    const orders = new Map();
    const board = $('#board');
    board.innerHTML = STATUSES.map((status) => `
      <div class="column" data-status="${status}">
        <h2>${status.toLowerCase()} <span class="count" id="count-${status}">0</span></h2>
        <div class="cards" id="cards-${status}"></div>
      </div>`).join('');
    let scheduled = false;
    const render = () => {
      scheduled = false;
      for (const status of STATUSES) {
        const rows = [...orders.values()].filter((row) => row.row.status === status)
          .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
        $(`#count-${status}`).textContent = rows.length;
        $(`#cards-${status}`).innerHTML = rows.slice(0, 40).map(orderCard).join('');
      }
    };
    live('/api/live/views/order-status', $('#board-live'), (row) => {
      if (row.row == null) orders.delete(row.key); else orders.set(row.key, row);
      if (!scheduled) { scheduled = true; requestAnimationFrame(render); }
    });
  },

  customer() {
    renderLines();
    live(`/api/live/views/customer-orders/${encodeURIComponent(me.userId)}`, $('#customer-live'), (row) => {
      const customer = row.row;
      if (customer == null) return;
      const hasWallet = customer.walletBalanceCents != null;
      $('#wallet-balance').textContent = hasWallet ? euros(customer.walletBalanceCents) : 'No wallet yet';
      $('#wallet-note').textContent = hasWallet ? `spent so far ${euros(customer.lifetimeSpendCents)}` : 'Top up to open one.';
      $('#order-counts').textContent = `${customer.completed} completed · ${customer.cancelled} cancelled · ${customer.rejected} rejected`;
      $('#my-orders').innerHTML = Object.entries(customer.orders).reverse().map(([orderId, status]) => `
        <li data-order-id="${escape(orderId)}" data-status="${escape(status)}"><span>${escape(orderId)}</span>
          <span class="badge ${escape(status)}">${escape(status.toLowerCase())}</span></li>`).join('');
    });
  },

  kitchen() {
    const tickets = new Map();
    const staff = me.roles.includes('KITCHEN_STAFF');
    const render = () => {
      const rows = [...tickets.values()].sort((a, b) => a.openedAt.localeCompare(b.openedAt));
      $('#kitchen-empty').hidden = rows.length > 0;
      $('#kitchen-queue').innerHTML = rows.map((ticket) => `
        <tr data-ticket-id="${escape(ticket.ticketId)}">
          <td>${escape(ticket.ticketId)}</td>
          <td>${ticket.lines.map((l) => `${l.quantity}× ${escape(title(l.pizza))} ${SIZE[l.size]}`).join(', ')}</td>
          <td><span class="badge ${ticket.status}">${ticket.status.replace('_', ' ').toLowerCase()}</span></td>
          <td>${escape(ticket.staffId ?? '')}</td>
          <td class="age" data-since="${ticket.openedAt}">${age(ticket.openedAt)}</td>
          <td>${staff ? kitchenAction(ticket) : ''}</td>
        </tr>`).join('');
    };
    live('/api/live/views/kitchen-queue', $('#kitchen-live'), (row) => {
      if (row.row == null) tickets.delete(row.key); else tickets.set(row.key, row.row);
      render();
    });
    every(1000, () => document.querySelectorAll('#kitchen-queue .age').forEach((cell) => cell.textContent = age(cell.dataset.since)));
  },

  async catalog() {
    const {json} = await api('GET', '/api/catalog');
    $('#catalog').innerHTML = json.contexts.map((context) => `
      <div class="card context">
        <h2>${escape(context.id)} <span class="muted">· ${escape(context.aggregateType)}</span></h2>
        <h3>Commands</h3>
        <table class="catalog"><thead><tr><th>Command</th><th>Route</th><th>Roles</th><th>Events</th></tr></thead><tbody>
        ${context.commands.map((c) => `<tr><td><strong>${escape(c.name)}</strong><div class="muted">${escape(c.doc)}</div></td>
          <td><code>${escape(c.route)}</code></td><td>${(c.allowedRoles ?? []).map(escape).join(', ')}</td>
          <td>${(c.produces ?? []).map(escape).join(', ')}</td></tr>`).join('')}
        </tbody></table>
        <h3>Events</h3>
        <ul class="events">${context.events.map((e) => `<li><strong>${escape(e.name)}</strong> — ${escape(e.doc)}</li>`).join('')}</ul>
      </div>`).join('') + `
      <div class="card context"><h2>Views</h2>
        <ul class="events">${json.views.map((v) => `<li><strong>${escape(v.name)}</strong> — ${escape(v.doc)}</li>`).join('')}</ul>
      </div>`;
  },
};

function orderCard(view) {
  const order = view.row;
  const lines = order.lines.map((l) => `${l.quantity}× ${escape(title(l.pizza))} ${SIZE[l.size]}`).join(', ');
  const reason = order.cancellationReason ? `<div class="reason">${escape(order.cancellationReason.replaceAll('_', ' ').toLowerCase())}</div>` : '';
  return `<article class="order" data-order-id="${escape(order.orderId)}" data-status="${escape(order.status)}">
    <header><strong>${escape(order.orderId)}</strong><span>${euros(order.totalCents)}</span></header>
    <div class="muted">${escape(order.customerId ?? '')}</div>
    <div class="lines">${lines}</div>${reason}
  </article>`;
}

function kitchenAction(ticket) {
  const [command, label] = ticket.status === 'WAITING' ? ['StartPreparation', 'Start'] : ['MarkTicketPrepared', 'Ready'];
  return `<button class="small" data-command="${command}" data-ticket="${escape(ticket.ticketId)}">${label}</button>`;
}

function age(since) {
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

// ---- the order form -------------------------------------------------------------------------------------------

function renderLines() {
  if ($('#order-lines').children.length === 0) addLine();
  updateTotal();
}

function addLine() {
  const pizzas = menu.pizzas;
  const line = document.createElement('div');
  line.className = 'line row';
  line.innerHTML = `
    <select class="pizza">${pizzas.map((p) => `<option value="${escape(p.name)}">${escape(title(p.name))}</option>`).join('')}</select>
    <select class="size"></select>
    <input class="quantity" type="number" min="1" max="20" value="1" aria-label="quantity">
    <button type="button" class="link remove" aria-label="remove">×</button>`;
  const sizes = () => {
    const prices = pizzas.find((p) => p.name === line.querySelector('.pizza').value).priceCents;
    line.querySelector('.size').innerHTML = Object.entries(prices)
      .map(([size, cents]) => `<option value="${size}">${size.toLowerCase()} · ${euros(cents)}</option>`).join('');
  };
  line.querySelector('.pizza').addEventListener('change', () => { sizes(); updateTotal(); });
  line.querySelector('.size').addEventListener('change', updateTotal);
  line.querySelector('.quantity').addEventListener('input', updateTotal);
  line.querySelector('.remove').addEventListener('click', () => { line.remove(); updateTotal(); });
  sizes();
  $('#order-lines').appendChild(line);
}

function orderLines() {
  return [...document.querySelectorAll('#order-lines .line')].map((line) => ({
    pizza: line.querySelector('.pizza').value,
    size: line.querySelector('.size').value,
    quantity: Number(line.querySelector('.quantity').value),
  }));
}

function updateTotal() {
  const total = orderLines().reduce((sum, line) =>
    sum + (menu.pizzas.find((p) => p.name === line.pizza)?.priceCents[line.size] ?? 0) * line.quantity, 0);
  $('#order-total').textContent = euros(total);
}

async function placeOrder(event) {
  event.preventDefault();
  const button = $('#place-order');
  button.disabled = true;
  const orderId = 'order-' + crypto.randomUUID().slice(0, 8);
  const instructions = $('#instructions').value.trim();
  try {
    const response = await send('orders', orderId, 'PlaceOrder', {
      customerId: me.userId,
      lines: orderLines(),
      deliveryAddress: {street: $('#street').value, city: $('#city').value, postalCode: $('#postal-code').value},
      deliveryInstructions: instructions === '' ? null : instructions,
    }, {'Idempotency-Key': orderId});
    showOutcome($('#order-outcome'), describe({message: `Order ${orderId} placed: ${euros(response.json?.events?.[0]?.eventData?.totalCents)}.`}, response));
    $('#order-outcome').dataset.orderId = orderId;
    $('#order-outcome').dataset.status = String(response.status);
  } finally {
    button.disabled = false;
  }
}

async function topUp(event) {
  event.preventDefault();
  const cents = Math.round(Number($('#topup-amount').value) * 100);
  const wallet = me.userId;
  let response = await send('payments', wallet, 'TopUpWallet', {amountCents: cents});
  if (response.status === 404) { // no wallet yet: open it, then top up
    await send('payments', wallet, 'OpenWallet', {});
    response = await send('payments', wallet, 'TopUpWallet', {amountCents: cents});
  }
  showOutcome($('#wallet-outcome'), describe({message: `Topped up ${euros(cents)}.`}, response));
}

async function kitchenCommand(event) {
  const button = event.target.closest('button[data-command]');
  if (!button) return;
  button.disabled = true;
  const response = await send('kitchen', button.dataset.ticket, button.dataset.command, {});
  if (response.status !== 201) alert(describe({}, response).text);
}

// ---- session and navigation -----------------------------------------------------------------------------------

async function logIn(event) {
  event.preventDefault();
  const response = await api('POST', '/api/session', {userId: $('#login-user').value.trim(), token: $('#login-token').value});
  if (response.status !== 200) {
    $('#login-error').textContent = response.json?.message ?? 'Could not log in.';
    return;
  }
  me = response.json;
  $('#login-token').value = '';
  location.hash = me.roles.includes('CUSTOMER') ? '#/customer' : '#/board';
  show();
}

async function logOut() {
  await api('DELETE', '/api/session');
  me = null;
  location.hash = '#/login';
  show();
}

function show() {
  feeds.forEach((feed) => feed.close());
  timers.forEach(clearInterval);
  feeds = [];
  timers = [];
  let page = (location.hash.replace(/^#\//, '') || 'board');
  if (!me) page = 'login';
  if (!pages[page]) page = 'board';
  document.querySelectorAll('.page').forEach((section) => section.hidden = section.id !== `page-${page}`);
  $('#nav').hidden = !me;
  $('#who').hidden = !me;
  if (me) {
    $('#who-name').textContent = me.userId;
    $('#who-roles').textContent = me.roles.map((r) => r.replace('_', ' ').toLowerCase()).join(', ');
    document.querySelectorAll('#nav a').forEach((a) => {
      a.classList.toggle('active', a.dataset.page === page);
      a.hidden = a.dataset.role != null && !me.roles.includes(a.dataset.role);
    });
  }
  pages[page]();
}

async function start() {
  menu = (await api('GET', '/api/menu')).json;
  const session = await api('GET', '/api/me');
  me = session.status === 200 ? session.json : null;
  $('#login-form').addEventListener('submit', logIn);
  $('#logout').addEventListener('click', logOut);
  $('#order-form').addEventListener('submit', placeOrder);
  $('#add-line').addEventListener('click', () => { addLine(); updateTotal(); });
  $('#topup-form').addEventListener('submit', topUp);
  $('#kitchen-queue').addEventListener('click', kitchenCommand);
  window.addEventListener('hashchange', show);
  show();
}

start();

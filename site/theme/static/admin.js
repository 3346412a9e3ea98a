// passaparola's console: sign in by an emailed link, read a campaign's report, give the rewards
// the kit cannot give itself, decide the orders held for review, download CSV.
// Like site.js: no third-party requests, and every value from the API reaches the page as text
// (textContent, a value) so the CSP's Trusted Types never has anything to refuse. The chart
// library (uPlot, vendored, a deferred classic script) has run before this module.

const one = (selector, root = document) => root.querySelector(selector);
const all = (selector, root = document) => [...root.querySelectorAll(selector)];

const texts = JSON.parse(one('#texts')?.textContent || '{}');
const lang = document.documentElement.lang;
const api = (one('meta[name="passaparola-api"]')?.content || '').replace(/\/+$/, '');
// The session lives as long as the tab: never in localStorage, never in a cookie.
const KEY = 'passaparola.admin';
const DAY = 86_400_000;

const number = new Intl.NumberFormat(lang);
const percent = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
const lift = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' });
const probability = new Intl.NumberFormat(lang, { maximumFractionDigits: 3 });
const hours = new Intl.NumberFormat(lang, { style: 'unit', unit: 'hour', unitDisplay: 'long', maximumFractionDigits: 1 });
const longDate = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' });
const shortDay = new Intl.DateTimeFormat(lang, { month: 'short', day: 'numeric', timeZone: 'UTC' });

const pick = (table, key) => (table && typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : '');
const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (whole, key) => (Object.hasOwn(values, key) ? String(values[key]) : whole));
const count = (value) => (Number.isFinite(value) ? number.format(value) : '–');
const share = (value) => (Number.isFinite(value) ? percent.format(value) : '–');
const money = (amounts) => {
  const entries = Object.entries(amounts && typeof amounts === 'object' ? amounts : {});
  if (!entries.length) return '–';
  return entries
    .map(([currency, amount]) => {
      try {
        return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(Number(amount));
      } catch {
        return `${amount} ${currency}`;
      }
    })
    .join(' · ');
};
const when = (iso) => {
  const moment = new Date(typeof iso === 'string' ? iso : NaN);
  return Number.isNaN(moment.getTime()) ? '' : longDate.format(moment);
};

function show(element, text) {
  element.textContent = text;
  element.hidden = !text;
}

const status = one('[data-admin-status]');
const say = (text) => show(status, text);

// --- the session ---------------------------------------------------------------------------

function session() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (saved && typeof saved.session === 'string' && Date.parse(saved.expires_at) > Date.now()) return saved;
  } catch {
    // an unreadable entry is no session
  }
  sessionStorage.removeItem(KEY);
  return null;
}

function signOut(message) {
  sessionStorage.removeItem(KEY);
  one('[data-console]').hidden = true;
  say(message);
  openSignIn();
}

async function request(method, path, { body, csv } = {}) {
  const headers = { Accept: csv ? 'text/csv' : 'application/json' };
  const current = session();
  if (current) headers.Authorization = `Bearer ${current.session}`;
  if (body) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(api + path, {
      method, headers, body: body && JSON.stringify(body), credentials: 'omit', cache: 'no-store',
    });
  } catch {
    return { status: 0, data: {}, text: '', headers: new Headers() };
  }
  if (response.status === 401 && current) {
    signOut(texts['signin.expired']);
    return { status: 401, data: {}, text: '', headers: response.headers };
  }
  if (csv && response.ok) return { status: response.status, data: {}, text: await response.text(), headers: response.headers };
  const data = await response.json().catch(() => null);
  return { status: response.status, data: data && typeof data === 'object' ? data : {}, text: '', headers: response.headers };
}

function problem({ status: code, data }) {
  if (code === 0) return texts.network;
  if (code === 409 || code === 429) return texts.busy;
  return (typeof data.message === 'string' && data.message) || texts.generic;
}

function enable(form, submit) {
  const button = one('[data-submit]', form);
  const error = one('[data-form-error]', form);
  const label = button.textContent;
  one('fieldset', form).disabled = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    button.textContent = texts.sending;
    show(error, '');
    show(error, await submit(new FormData(form)));
    button.disabled = false;
    button.textContent = label;
  });
}

let signInReady = false;
function openSignIn() {
  const panel = one('[data-signin]');
  panel.hidden = false;
  if (signInReady) return;
  signInReady = true;
  const form = one('[data-signin-form]');
  enable(form, async (fields) => {
    const email = String(fields.get('email') || '').trim();
    const answer = await request('POST', '/admin/sign-in', { body: { email, locale: lang } });
    if (answer.status !== 202) return problem(answer);
    say(texts['signin.sent']);
    return '';
  });
}

// The link's token is in the fragment (never sent to a server, never in a log); it is traded
// at once for a session and taken out of the address bar and the history.
async function redeem(token) {
  history.replaceState(null, '', location.pathname + location.search);
  say(texts['signin.opening']);
  const answer = await request('POST', '/admin/sessions', { body: { token } });
  if (answer.status !== 201 || typeof answer.data.session !== 'string') {
    say(answer.status === 401 ? texts['signin.invalid'] : problem(answer));
    return false;
  }
  sessionStorage.setItem(KEY, JSON.stringify(answer.data));
  say('');
  return true;
}

// --- the report ----------------------------------------------------------------------------

function cell(text, numeric) {
  const element = document.createElement('td');
  element.textContent = text;
  if (numeric) element.className = 'number';
  return element;
}

function fillTable(name, rows) {
  const body = one(`[data-table="${name}"] tbody`);
  body.replaceChildren(
    ...rows.map(([head, ...rest]) => {
      const row = document.createElement('tr');
      const first = document.createElement('th');
      first.scope = 'row';
      first.textContent = head;
      row.append(first, ...rest.map((value) => cell(value, true)));
      return row;
    }),
  );
  if (!rows.length) {
    const row = document.createElement('tr');
    const empty = cell(texts.nothing);
    empty.colSpan = one(`[data-table="${name}"] thead tr`).children.length;
    row.append(empty);
    body.append(row);
  }
}

const list = (value) => (Array.isArray(value) ? value.filter((item) => item && typeof item === 'object') : []);
const byCount = (table) =>
  Object.entries(table && typeof table === 'object' ? table : {})
    .filter(([, n]) => Number.isFinite(n) && n > 0)
    .sort((a, b) => b[1] - a[1]);

function significance(variant, first) {
  if (!variant.enough_data) return texts.not_enough;
  if (first || !Number.isFinite(variant.p_value)) return '–';
  return variant.p_value < 0.05 ? texts.significant : texts.not_significant;
}

function showReport(report) {
  const funnel = report.funnel || {};
  const figures = {
    ...Object.fromEntries(['clicks', 'visitors', 'claims', 'orders', 'qualified'].map((k) => [k, count(funnel[k])])),
    revenue: money(funnel.revenue),
    claim_rate: share(report.rates?.claim_rate),
    order_rate: share(report.rates?.order_rate),
    p50_hours: Number.isFinite(report.time_to_convert?.p50_hours) ? hours.format(report.time_to_convert.p50_hours) : '–',
    p90_hours: Number.isFinite(report.time_to_convert?.p90_hours) ? hours.format(report.time_to_convert.p90_hours) : '–',
  };
  for (const figure of all('[data-figure]')) figure.textContent = figures[figure.dataset.figure] ?? '–';

  const daily = list(report.daily);
  fillTable('daily', daily.map((d) => [String(d.date), count(d.clicks), count(d.claims), count(d.orders)]));
  drawChart(daily);

  const variants = list(report.variants);
  one('[data-no-variants]').hidden = variants.length > 0;
  one('[data-table="variants"]').closest('.table-wrap').hidden = variants.length === 0;
  fillTable(
    'variants',
    variants.map((v, n) => [
      String(v.id),
      count(v.clicks),
      count(v.claims),
      count(v.orders),
      share(v.order_rate),
      n === 0 ? texts.baseline : Number.isFinite(v.lift) ? lift.format(v.lift) : '–',
      n === 0 || !Number.isFinite(v.p_value) ? '–' : probability.format(v.p_value),
      significance(v, n === 0),
    ]),
  );
  const reason = (key) => pick(texts.reasons, key) || key;
  fillTable('rejections', byCount(report.rejections).map(([key, n]) => [reason(key), count(n)]));
  fillTable('reviews', byCount(report.reviews).map(([key, n]) => [reason(key), count(n)]));
  const rewards = Object.entries(report.rewards && typeof report.rewards === 'object' ? report.rewards : {});
  fillTable(
    'rewards',
    rewards
      .filter(([, sum]) => sum && sum.count > 0)
      .map(([key, sum]) => [pick(texts.statuses, key) || key, count(sum.count), money(sum.value)]),
  );
  fillTable(
    'top',
    list(report.top_referrers).map((r) => [
      r.display_name ? `${r.display_name} (${r.code})` : String(r.code),
      count(r.clicks),
      count(r.claims),
      count(r.orders),
    ]),
  );
}

let chart = null;
function drawChart(daily) {
  const area = one('[data-chart]');
  // Without the library the table still says it all.
  if (typeof window.uPlot !== 'function') return;
  const colours = getComputedStyle(document.body);
  const colour = (name) => colours.getPropertyValue(name).trim();
  const [primary, ink, accent] = [colour('--primary'), colour('--text'), colour('--accent')];
  const data = [
    daily.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000),
    daily.map((d) => d.clicks),
    daily.map((d) => d.claims),
    daily.map((d) => d.orders),
  ];
  const axis = { stroke: ink, grid: { stroke: accent }, ticks: { stroke: accent } };
  // Told apart by line and width as well as colour.
  const options = {
    width: area.clientWidth,
    height: 260,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    series: [
      {},
      { label: texts.clicks, stroke: primary, width: 2 },
      { label: texts.claims, stroke: ink, width: 2, dash: [6, 4] },
      { label: texts.orders, stroke: ink, width: 3 },
    ],
    axes: [
      { ...axis, values: (_, ticks) => ticks.map((t) => shortDay.format(new Date(t * 1000))) },
      { ...axis, values: (_, ticks) => ticks.map((t) => number.format(t)) },
    ],
    scales: { x: { time: true }, y: { range: (_, min, max) => [0, Math.max(4, max)] } },
    tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
  };
  chart?.destroy();
  chart = new window.uPlot(options, data, area);
}

new ResizeObserver(() => {
  const area = one('[data-chart]');
  if (chart && area.clientWidth && chart.width !== area.clientWidth) chart.setSize({ width: area.clientWidth, height: 260 });
}).observe(one('[data-chart]'));

// --- the range -----------------------------------------------------------------------------

const range = one('[data-range]');
const chosen = () => {
  const fields = new FormData(range);
  return { campaign: String(fields.get('campaign')), from: String(fields.get('from')), to: String(fields.get('to')) };
};
const query = (values) => new URLSearchParams(values).toString();

let reportsAsked = 0;

async function loadReport() {
  const { campaign, from, to } = chosen();
  const asked = ++reportsAsked;
  const answer = await request('GET', `/campaigns/${encodeURIComponent(campaign)}/report?${query({ from, to })}`);
  // The first report (the default campaign's) can answer after one chosen since: only the
  // latest report asked for is shown.
  if (asked !== reportsAsked) return '';
  if (answer.status !== 200) return answer.status === 401 ? '' : problem(answer);
  showReport(answer.data);
  return '';
}

// --- the queues ----------------------------------------------------------------------------

function campaignTitle(slug) {
  return pick(texts.campaigns, slug) || slug;
}

async function loadRewards() {
  const answer = await request('GET', '/rewards?status=issued&fulfilled=false&limit=50');
  if (answer.status !== 200) return;
  const items = list(answer.data.items);
  const template = one('template[data-fulfil-item]');
  one('[data-fulfil]').replaceChildren(
    ...items.map((reward, n) => {
      const item = template.content.firstElementChild.cloneNode(true);
      item.dataset.reward = reward.id;
      one('[data-what]', item).textContent = `${reward.description} · ${campaignTitle(reward.campaign)}`;
      one('[data-who]', item).textContent =
        `${texts.for} ${reward.owner?.code ?? ''} · ${texts.issued} ${when(reward.issued_at)}`;
      const form = one('[data-fulfil-form]', item);
      const input = one('input', form);
      input.id = `reference-${n}`;
      one('[data-reference-label]', form).htmlFor = input.id;
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const button = one('button', form);
        if (button.disabled) return;
        button.disabled = true;
        const reference = input.value.trim();
        const path = `/rewards/${encodeURIComponent(reward.id)}/fulfilment`;
        const done = await request('POST', path, { body: { reference } });
        button.disabled = false;
        if (done.status === 200 || done.status === 201) {
          form.hidden = true;
          show(one('[data-done]', item), fill(texts.fulfil_done, { reference: done.data.fulfilment?.reference ?? reference }));
        } else {
          show(one('[data-done]', item), problem(done));
        }
      });
      return item;
    }),
  );
  one('[data-fulfil-none]').hidden = items.length > 0;
}

async function loadReviews() {
  const answer = await request('GET', '/reviews?status=waiting&limit=50');
  if (answer.status !== 200) return;
  const items = list(answer.data.items);
  const template = one('template[data-review-item]');
  one('[data-review]').replaceChildren(
    ...items.map((review) => {
      const item = template.content.firstElementChild.cloneNode(true);
      item.dataset.review = review.conversion_id;
      one('[data-order]', item).textContent = review.order_id;
      one('[data-why]', item).textContent =
        `${pick(texts.reasons, review.reason) || review.reason} · ${campaignTitle(review.campaign)} · ${when(review.created_at)}`;
      for (const button of all('[data-decision]', item)) {
        button.addEventListener('click', async () => {
          const buttons = all('[data-decision]', item);
          for (const b of buttons) b.disabled = true;
          const decision = button.dataset.decision;
          const path = `/reviews/${encodeURIComponent(review.conversion_id)}`;
          const done = await request('POST', path, { body: { decision } });
          if (done.status === 200) {
            one('.actions', item).hidden = true;
            show(one('[data-done]', item), pick(texts, `review.done.${done.data.decision}`) || done.data.decision);
          } else {
            for (const b of buttons) b.disabled = false;
            show(one('[data-done]', item), problem(done));
          }
        });
      }
      return item;
    }),
  );
  one('[data-review-none]').hidden = items.length > 0;
}

// --- CSV downloads -------------------------------------------------------------------------

// A page at a time (the next cursor is a header); the later pages' header lines are dropped.
async function referralsCsv({ campaign, from, to }) {
  const parts = [];
  let cursor = '';
  do {
    const values = { campaign, from, to, limit: '50', format: 'csv', ...(cursor ? { cursor } : {}) };
    const answer = await request('GET', `/referrals?${query(values)}`, { csv: true });
    if (answer.status !== 200) return answer;
    parts.push(parts.length ? answer.text.slice(answer.text.indexOf('\n') + 1) : answer.text);
    cursor = answer.headers.get('Next-Cursor') || '';
  } while (cursor);
  return { status: 200, text: parts.join('') };
}

function save(text, filename) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function downloads() {
  const feedback = one('[data-download-status]');
  for (const button of all('[data-download]')) {
    button.addEventListener('click', async () => {
      const values = chosen();
      const kind = button.dataset.download;
      feedback.textContent = texts.loading;
      const answer =
        kind === 'report'
          ? await request('GET', `/campaigns/${encodeURIComponent(values.campaign)}/report?${query({ from: values.from, to: values.to, format: 'csv' })}`, { csv: true })
          : await referralsCsv(values);
      if (answer.status !== 200) {
        feedback.textContent = answer.status === 401 ? '' : problem(answer);
        return;
      }
      save(answer.text, `${values.campaign}-${kind}-${values.from}-${values.to}.csv`);
      feedback.textContent = '';
    });
  }
}

// --- start ---------------------------------------------------------------------------------

const isoDay = (moment) => new Date(moment).toISOString().slice(0, 10);

function openConsole() {
  const current = session();
  one('[data-signin]').hidden = true;
  one('[data-signed-in]').textContent = fill(texts.signed_in, { email: current.email });
  one('[data-console]').hidden = false;
  loadReport();
  loadRewards();
  loadReviews();
}

async function start() {
  const now = Date.now();
  range.elements.to.value = isoDay(now);
  range.elements.from.value = isoDay(now - 29 * DAY);
  enable(range, loadReport);
  one('[data-sign-out]').addEventListener('click', () => signOut(''));
  downloads();
  const token = new URLSearchParams(location.hash.slice(1)).get('signin');
  if (token) await redeem(token);
  if (session()) openConsole();
  else openSignIn();
  // A link opened in the tab the console is already in changes only the fragment.
  addEventListener('hashchange', async () => {
    const again = new URLSearchParams(location.hash.slice(1)).get('signin');
    if (again && (await redeem(again))) openConsole();
  });
}

start();

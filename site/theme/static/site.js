// passaparola pages: enrol and share, claim an invitation, read one's results.
// No dependencies and no third-party requests. Every value that comes from the API or the
// URL reaches the page as text (textContent, an input's value) or, once checked, as an
// attribute; nothing is ever parsed as HTML, and the page's CSP (Trusted Types) would make
// any attempt throw.

const one = (selector, root = document) => root.querySelector(selector);
const all = (selector, root = document) => [...root.querySelectorAll(selector)];

const texts = JSON.parse(one('#texts')?.textContent || '{}');
const lang = document.documentElement.lang;
const api = (one('meta[name="passaparola-api"]')?.content || '').replace(/\/+$/, '');
const PLACEHOLDER = '__LINK__';

const pick = (table, key) => (typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : '');
// A function replacement, so a `$&` in a value is kept as typed, not expanded.
const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (whole, key) => (Object.hasOwn(values, key) ? String(values[key]) : whole));

function show(element, text) {
  element.textContent = text;
  element.hidden = !text;
}

async function call(method, path, { body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(api + path, {
      method, headers, body: body && JSON.stringify(body), credentials: 'omit', cache: 'no-store',
    });
  } catch {
    return { status: 0, data: {} };
  }
  const data = await response.json().catch(() => null);
  return { status: response.status, data: data && typeof data === 'object' ? data : {} };
}

function problem({ status, data }) {
  if (status === 0) return texts.network;
  if (status === 409 || status === 429) return texts.busy;
  return pick(texts.errors, data.error) || texts.generic;
}

function handleForm(form, submit) {
  const button = one('[data-submit]', form);
  const error = one('[data-form-error]', form);
  const label = button.textContent;
  let busy = false;
  one('fieldset', form).disabled = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    button.textContent = texts.sending;
    show(error, '');
    const fields = new FormData(form);
    const message = await submit((name) => String(fields.get(name) || '').trim());
    busy = false;
    button.textContent = label;
    show(error, message);
  });
}

async function copyFrom(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    // No clipboard API (an http:// origin, an older browser): select it and try the old way.
    input.focus();
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

function copyButtons(root) {
  for (const button of all('[data-copy]', root)) {
    const input = document.getElementById(button.dataset.copy);
    const feedback = document.getElementById(`${input.id}-feedback`);
    button.addEventListener('click', async () => {
      const copied = await copyFrom(input);
      feedback.textContent = '';
      // A fresh text node each time, so screen readers announce a second copy too.
      feedback.textContent = copied ? texts.copied : texts.copy_failed;
    });
  }
}

function openSharePanel(panel, { share_url: link, qr }, notice) {
  if (typeof link !== 'string' || !/^https?:\/\/\S+$/i.test(link)) return false;
  const encoded = encodeURIComponent(link);
  one('[data-share-link]', panel).value = link;
  for (const anchor of all('[data-href]', panel)) anchor.href = anchor.dataset.href.split(PLACEHOLDER).join(encoded);
  const native = one('[data-native-share]', panel);
  if (native && navigator.share) {
    const button = one('button', native);
    button.addEventListener('click', () => {
      navigator.share({ title: button.dataset.shareTitle, text: button.dataset.shareText, url: link }).catch(() => {});
    });
    native.hidden = false;
  }
  const toggle = one('[data-qr-toggle]', panel);
  if (toggle) {
    if (typeof qr === 'string' && qr.startsWith('data:image/svg+xml')) {
      const figure = document.getElementById(toggle.getAttribute('aria-controls'));
      one('[data-qr]', figure).src = qr;
      one('[data-qr-download]', figure).href = qr;
      toggle.addEventListener('click', () => {
        const open = toggle.getAttribute('aria-expanded') !== 'true';
        toggle.setAttribute('aria-expanded', String(open));
        figure.hidden = !open;
      });
    } else {
      toggle.parentElement.hidden = true;
    }
  }
  copyButtons(panel);
  show(one('[data-share-notice]', panel), notice);
  panel.hidden = false;
  return true;
}

function invite() {
  const form = one('[data-enrol]');
  if (!form) return; // enrolment is closed
  const panel = one('[data-share]');
  // A friend who claimed comes with their address in the fragment (never sent to a server):
  // filled in, then dropped from the address bar and history. Their tap sends the form.
  const given = new URLSearchParams(location.hash.slice(1)).get('email');
  if (given) {
    one('input[name="email"]', form).value = given.slice(0, 254);
    history.replaceState(null, '', location.pathname + location.search);
  }
  handleForm(form, async (field) => {
    const body = { campaign: form.dataset.campaign, email: field('email'), locale: lang };
    if (field('name')) body.name = field('name');
    const answer = await call('POST', '/referrers', { body });
    if (answer.status !== 201) return problem(answer);
    if (!openSharePanel(panel, answer.data, texts.enrolled)) return texts.generic;
    one('#enrol').hidden = true;
    one('.panel-title', panel).focus();
    return '';
  });
}

function showClaimed(reward) {
  const box = one('[data-claimed]');
  const gift = reward && typeof reward === 'object' ? reward : null;
  const coupon = typeof gift?.coupon_code === 'string' ? gift.coupon_code : '';
  // The coupon is shown only to the claim that created it. An issued gift without one was
  // claimed with this address before: it has gone to that mailbox, never to this page.
  const emailed = Boolean(gift) && !coupon && gift.status === 'issued';
  show(one('[data-claimed-notice]', box), emailed ? texts.claimed_emailed : texts.claimed);
  if (gift) {
    show(one('[data-reward-description]', box), typeof gift.description === 'string' ? gift.description : '');
    if (coupon) {
      one('[data-coupon-code]', box).value = coupon;
      one('[data-coupon]', box).hidden = false;
      copyButtons(box);
    } else if (!emailed) {
      // A coupon not shown is still being made in the shop: it is emailed the moment it exists.
      const couponKind = gift.kind === 'coupon_percent' || gift.kind === 'coupon_fixed';
      one(couponKind ? '[data-coupon-pending]' : '[data-reward-pending]', box).hidden = false;
    }
  }
  one('#claim').hidden = true;
  box.hidden = false;
  one('.panel-title', box).focus();
}

// The name comes after the page is drawn: the heading keeps the anonymous one's room and a
// longer sentence is set smaller to fit, so nothing moves. A new width (not the height a
// phone's toolbar changes on scroll) lets it flow again.
function personalise(heading, text) {
  const room = heading.getBoundingClientRect().height;
  heading.style.minHeight = `${room}px`;
  heading.textContent = text;
  const size = parseFloat(getComputedStyle(heading).fontSize);
  for (let scale = 0.9; heading.getBoundingClientRect().height > room + 0.5 && scale > 0.5; scale -= 0.1) {
    heading.style.fontSize = `${size * scale}px`;
  }
  const width = innerWidth;
  const reflow = () => {
    if (innerWidth === width) return;
    heading.removeAttribute('style');
    removeEventListener('resize', reflow);
  };
  addEventListener('resize', reflow);
}

async function landing() {
  const root = one('[data-landing]');
  const status = one('[data-landing-status]');
  const params = new URLSearchParams(location.search);
  const code = (params.get('ref') || '').trim();
  // The A/B variant comes from the click redirect; only the campaign's own ids count.
  const variant = root.dataset.variants.split(' ').includes(params.get('v')) ? params.get('v') : null;
  const headlines = all('[data-variant]');
  const chosen = headlines.find((element) => element.dataset.variant === variant);
  // They share one place as tall as the tallest (site.css): choosing moves nothing.
  if (chosen) for (const headline of headlines) headline.toggleAttribute('data-unchosen', headline !== chosen);
  const invalid = (reason) => {
    // No gift without a valid invitation: the page becomes the programme's own offer.
    const box = one('[data-invalid]');
    const heading = one('[data-heading]');
    heading.textContent = heading.dataset.plain;
    for (const headline of headlines) headline.hidden = true;
    one('#claim').hidden = true;
    status.hidden = true;
    one('[data-invalid-reason]', box).textContent = pick(texts.invalid, reason) || texts.invalid.unknown;
    box.hidden = false;
  };
  if (!code) return invalid('missing');
  // Said to screen readers, given no room on the page: nothing moves when it goes.
  status.classList.add('visually-hidden');
  show(status, texts.checking);
  const answer = await call('GET', `/codes/${encodeURIComponent(code)}?lang=${lang}`);
  status.classList.remove('visually-hidden');
  status.hidden = true;
  if (answer.data.valid === false) return invalid(answer.data.reason);
  if (answer.status === 200) {
    const name = typeof answer.data.referrer?.display_name === 'string' ? answer.data.referrer.display_name.trim() : '';
    const offer = typeof answer.data.offer?.text === 'string' ? answer.data.offer.text : texts.offer;
    const key = (offer ? 'gift' : 'invited') + (name ? '' : '_anonymous');
    personalise(one('[data-heading]'), fill(texts[key], { name, offer: offer || '' }));
  } else {
    // Cannot check it now; the claim checks the code again, so let the visitor try.
    show(status, problem(answer));
  }
  handleForm(one('[data-claim]'), async (field) => {
    const body = { code, email: field('email'), locale: lang };
    if (field('name')) body.name = field('name');
    if (variant) body.variant = variant;
    const claimed = await call('POST', '/claims', { body });
    if (claimed.data.error === 'invalid_code') {
      invalid(claimed.data.reason);
      return '';
    }
    if (claimed.status !== 201) return problem(claimed);
    showClaimed(claimed.data.friend_reward);
    // One tap from a link of their own: the invite page, this address filled in.
    const join = one('[data-join]');
    join.href = `${join.pathname}#${new URLSearchParams({ email: body.email })}`;
    return '';
  });
}

const when = (iso) => {
  const moment = new Date(typeof iso === 'string' ? iso : NaN);
  return Number.isNaN(moment.getTime()) ? '' : new Intl.DateTimeFormat(lang, { dateStyle: 'long' }).format(moment);
};

function rewardStatus(reward) {
  if (reward.status === 'held' && when(reward.hold_until)) return fill(texts.held_until, { date: when(reward.hold_until) });
  if (reward.status === 'issued' && when(reward.issued_at)) return fill(texts.issued_on, { date: when(reward.issued_at) });
  return pick(texts.statuses, reward.status);
}

function rewardItem(reward) {
  const item = document.createElement('li');
  item.append(part(typeof reward.description === 'string' ? reward.description : '', 'reward-what'));
  item.append(part(pick(texts.roles, reward.role), 'hint'), ' ');
  item.append(part(rewardStatus(reward), 'status'));
  if (typeof reward.coupon_code === 'string' && reward.coupon_code) {
    item.append(part(fill(texts.coupon, { code: reward.coupon_code }), 'code-inline'));
  }
  return item;
}

// A date without a time ("2026-05-01") is a day in UTC: shown as that day wherever one is.
const day = (iso) => {
  const moment = new Date(typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : NaN);
  return Number.isNaN(moment.getTime())
    ? ''
    : new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(moment);
};
const count = (value) => (Number.isInteger(value) && value >= 0 ? value : 0);
// The form of a plural string for this number, by the same CLDR rules the build's Babel uses.
const plural = (forms, n) => fill(pick(forms, new Intl.PluralRules(lang).select(n)) || forms.other, {
  count: new Intl.NumberFormat(lang).format(n),
});

function part(text, className) {
  const element = document.createElement('span');
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function showProgress({ progress }) {
  if (!progress || typeof progress !== 'object' || !count(progress.tiers)) return; // no milestones
  const next = progress.next_tier && typeof progress.next_tier === 'object' ? progress.next_tier : null;
  if (next && typeof next.reward === 'string' && count(next.after)) {
    const counted = Math.min(count(progress.counted), next.after);
    show(one('[data-progress-sentence]'), fill(plural(texts.next_tier, count(next.to_go)), { reward: next.reward }));
    const bar = one('[data-progress-bar]');
    bar.max = next.after;
    bar.value = counted;
    const number = new Intl.NumberFormat(lang);
    one('[data-progress-count]').textContent = fill(texts.bar, { count: number.format(counted), after: number.format(next.after) });
    one('[data-progress-next]').hidden = false;
  } else {
    one('[data-progress-done]').hidden = false;
  }
  one('[data-progress]').hidden = false;
}

// At the cap the link takes no new friend: the page says so in place of the share panel.
function showCap({ cap }) {
  if (!cap || typeof cap !== 'object' || !count(cap.max_rewards)) return false;
  const number = new Intl.NumberFormat(lang);
  show(one('[data-cap-rule]'), plural(texts.cap_rule, cap.max_rewards));
  show(one('[data-cap-used]'), fill(texts.cap_used, { used: number.format(count(cap.used)), max: number.format(cap.max_rewards) }));
  one('[data-cap]').hidden = false;
  one('[data-cap-reached]').hidden = cap.reached !== true;
  return cap.reached === true;
}

function friendItem(friend) {
  const item = document.createElement('li');
  const name = typeof friend.name === 'string' && friend.name.trim() ? friend.name : texts.anonymous;
  item.append(part(name, 'friend-name'));
  const claimed = day(friend.claimed_on);
  if (claimed) item.append(part(fill(texts.claimed_on, { date: claimed }), 'hint'), ' ');
  const due = friend.status === 'ordered' ? day(friend.reward_on) : '';
  item.append(part(due ? fill(texts.ordered_until, { date: due }) : pick(texts.friend_statuses, friend.status), 'status'));
  return item;
}

function showFriends({ friends, friends_total: total }) {
  const listed = Array.isArray(friends) ? friends.filter((f) => f && typeof f === 'object') : [];
  one('[data-friends]').append(...listed.map(friendItem));
  one('[data-friends-none]').hidden = listed.length > 0;
  if (count(total) > listed.length) {
    show(one('[data-friends-more]'), fill(plural(texts.more_friends, count(total)), { shown: listed.length }));
  }
}

function showBoard(board) {
  if (!board || typeof board !== 'object') return;
  const top = Array.isArray(board.top) ? board.top.filter((row) => row && typeof row === 'object') : [];
  const rows = top.map((row) => {
    const item = document.createElement('li');
    const mine = board.opted_in === true && row.place === board.place && row.display_name === board.display_name;
    const name = typeof row.display_name === 'string' ? row.display_name : '';
    item.append(
      part(String(count(row.place)), 'board-place'),
      part(mine ? `${name} (${texts.board_you})` : name, 'board-name'),
      part(plural(texts.board_orders, count(row.orders)), 'hint'),
      part(plural(texts.board_friends, count(row.claims)), 'hint'),
    );
    item.toggleAttribute('data-you', mine);
    return item;
  });
  one('[data-board]').replaceChildren(...rows);
  one('[data-board-empty]').hidden = rows.length > 0;
  let own = '';
  if (board.opted_in === true) {
    if (count(board.place)) own = fill(texts.board_place, { place: board.place });
    else own = board.ranked === true ? texts.board_beyond : texts.unranked;
  }
  show(one('[data-board-own]'), own);
  one('[data-board-opt-in]').checked = board.opted_in === true;
  if (typeof board.display_name === 'string') one('#board-name').value = board.display_name;
}

function boardForm(token) {
  const form = one('[data-board-form]');
  const saved = one('[data-board-saved]');
  handleForm(form, async (field) => {
    saved.textContent = '';
    const optIn = one('[data-board-opt-in]').checked;
    const body = { opt_in: optIn };
    if (field('display_name')) body.display_name = field('display_name');
    const answer = await call('PUT', '/referrers/me/leaderboard', { body, token });
    if (answer.status === 422) return texts.need_name; // no name to show, or not one that can be
    if (answer.status !== 200) return problem(answer);
    showBoard(answer.data);
    saved.textContent = optIn ? texts.joined : texts.left;
    return '';
  });
}

async function stats() {
  const status = one('[data-stats-status]');
  // The token travels in the fragment, which browsers never send to any server.
  const token = new URLSearchParams(location.hash.slice(1)).get('t');
  if (!token) return show(status, texts.missing);
  const answer = await call('GET', `/referrers/me?lang=${lang}`, { token });
  if (answer.status !== 200) return show(status, problem(answer));
  const data = answer.data;
  const number = new Intl.NumberFormat(lang);
  for (const figure of all('[data-figure]')) {
    const value = data[figure.dataset.figure];
    figure.textContent = number.format(Number.isFinite(value) ? value : 0);
  }
  const rewards = Array.isArray(data.rewards) ? data.rewards.filter((r) => r && typeof r === 'object') : [];
  one('[data-rewards]').append(...rewards.map(rewardItem));
  one('[data-rewards-none]').hidden = rewards.length > 0;
  showProgress(data);
  const capped = showCap(data);
  showFriends(data);
  showBoard(data.leaderboard);
  boardForm(token);
  const template = all('template[data-share-for]').find((element) => element.dataset.shareFor === data.campaign);
  if (template) {
    one('[data-campaign-title]').textContent = template.dataset.title;
    const slot = one('[data-share-slot]');
    if (!capped) {
      slot.append(template.content.cloneNode(true));
      openSharePanel(one('[data-share]', slot), data, '');
    }
    const invitePage = one('[data-invite-link]');
    invitePage.href = template.dataset.invite;
    invitePage.hidden = false;
  }
  // The same token opens the person's data: the link carries it in the fragment too.
  for (const link of all('[data-my-data-link]')) {
    const then = link.dataset.myDataLink ? { then: link.dataset.myDataLink } : {};
    link.href = `${link.pathname}#${new URLSearchParams({ token, ...then })}`;
  }
  status.hidden = true;
  one('[data-stats-body]').hidden = false;
}

// RFC 8058's one-click request, as a mail client sends it: a form POST of one field. The page
// only asks; the button is what unsubscribes.
function unsubscribe() {
  const status = one('[data-unsubscribe-status]');
  const form = one('[data-unsubscribe-form]');
  const token = new URLSearchParams(location.hash.slice(1)).get('t');
  if (!token) {
    form.hidden = true;
    return show(status, texts.missing);
  }
  handleForm(form, async () => {
    let response;
    try {
      response = await fetch(`${api}/unsubscribe/${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: 'List-Unsubscribe=One-Click',
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      return texts.network;
    }
    const data = (await response.json().catch(() => null)) || {};
    if (response.status !== 200) return problem({ status: response.status, data });
    const title = pick(texts.campaigns, data.campaign);
    form.hidden = true;
    show(status, fill(texts.done, { campaign: title || data.campaign || '' }));
    return '';
  });
}

// A data link (#token=, an hour) opens the export and the deletion, a referrer's stats link the
// export (its deletion goes by a data link emailed to them); without one the page asks for a
// link. The export is shown as text and offered as a file.
async function myData() {
  const status = one('[data-my-data-status]');
  const ask = one('[data-my-data-ask]');
  const body = one('[data-my-data-body]');
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  // A link pasted into this tab changes only the fragment: start again with it.
  window.addEventListener('hashchange', () => location.reload());
  const askForLink = (notice) => {
    show(status, notice);
    ask.hidden = false;
    handleForm(ask, async (field) => {
      const answer = await call('POST', '/me/link', { body: { email: field('email'), lang } });
      if (answer.status !== 202) return problem(answer);
      ask.hidden = true;
      show(status, texts.sent);
      return '';
    });
  };
  if (!token) return askForLink('');
  show(status, texts.loading);
  const answer = await call('GET', '/me', { token });
  if (answer.status !== 200) return askForLink(answer.status === 401 ? texts.invalid : problem(answer));
  const items = answer.data.items && typeof answer.data.items === 'object' ? answer.data.items : {};
  const json = JSON.stringify(answer.data, null, 2);
  show(status, Object.keys(items).length ? texts.found : texts.nothing);
  one('[data-my-data-json]').textContent = json;
  one('[data-my-data-download]').href = `data:application/json;charset=utf-8,${encodeURIComponent(json)}`;
  body.hidden = false;
  const remove = one('[data-my-data-delete]');
  // Only the emailed data link (`d.`, an hour, deletes once) deletes. Opened with a stats
  // link, which lives for months in every reward email, the page mails the data link to the
  // referrer's own address (from the export) instead, and the deletion is confirmed from it.
  const address = Array.isArray(answer.data.addresses) ? answer.data.addresses[0] : undefined;
  handleForm(remove, async (field) => {
    if (field('confirm') !== 'yes') return texts.generic;
    if (!token.startsWith('d.')) {
      if (typeof address !== 'string') return texts.generic;
      const asked = await call('POST', '/me/link', { body: { email: address, lang } });
      if (asked.status !== 202) return problem(asked);
      body.hidden = true;
      show(status, fill(texts.confirm_sent, { email: address }));
      return '';
    }
    const deleted = await call('DELETE', '/me', { token });
    if (deleted.status !== 200) return problem(deleted);
    body.hidden = true;
    show(status, texts.deleted);
    return '';
  });
  if (new URLSearchParams(location.hash.slice(1)).get('then') === 'delete') one('[data-my-data-confirm]').focus();
}

function index() {
  const notice = one('[data-invalid-notice]');
  if (new URLSearchParams(location.search).get('ref_status') === 'invalid') notice.hidden = false;
}

// Switching language keeps the invitation code (?ref=) or the stats, unsubscribe or data token.
for (const link of all('[data-keep-state]')) link.href = link.getAttribute('href') + location.search + location.hash;

const pages = { invite, landing, stats, unsubscribe, my_data: myData, index };
const page = document.body.dataset.page;
if (Object.hasOwn(pages, page)) pages[page]();

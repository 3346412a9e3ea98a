// passaparola's invite panel for a shop's own pages (README: "Add the invite panel to your shop").
//   <script src="https://referrals.example/widget.js" data-campaign="spring" data-lang="it"
//     data-email="buyer@example.com" async></script>
// It draws the panel where the tag is, inside a shadow root, so the shop's styles cannot reach
// it. Its only request is POST /referrers to our API. Under a strict CSP: no HTML is ever
// parsed (every word is a text node), no style attribute and no eval; the styles are a
// constructed stylesheet, which style-src does not govern.
(() => {
  const DATA = /*DATA*/{};
  const script = document.currentScript;
  if (!script) return;
  const { campaign: slug = '', lang: asked = '', email = '' } = script.dataset;
  const campaign = Object.hasOwn(DATA.campaigns, slug) ? DATA.campaigns[slug] : null;
  if (!campaign) {
    console.warn(`passaparola: no campaign "${slug}" (data-campaign)`);
    return;
  }
  const primary = asked.toLowerCase().split('-')[0]; // it-IT, as a page's lang may say, is it
  const lang = Object.hasOwn(campaign.words, primary) ? primary : campaign.lang;
  const words = campaign.words[lang];
  const t = DATA.texts[lang];
  const c = DATA.brands[campaign.brand].colours;
  const api = (DATA.api || new URL(script.src).origin).replace(/\/+$/, '');

  const CSS = `:host{all:initial;display:block;--p:${c.primary};--o:${c.on_primary};--b:${c.background};--t:${c.text};--a:${c.accent || c.background}}
.pp{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--t);background:var(--b);border:1px solid var(--t);border-radius:12px;padding:1.25rem;max-width:36rem}
h2{font-size:1.25rem;margin:0 0 .5rem}p{margin:.5rem 0}[hidden]{display:none!important}
.offers{background:var(--a);border-radius:8px;padding:.5rem .75rem}.offers b{color:var(--p)}
label{display:block;font-weight:600;margin-top:.75rem}
input{font:inherit;color:var(--t);background:var(--b);border:2px solid var(--t);border-radius:6px;padding:.5rem;width:100%;box-sizing:border-box}
.row{display:flex;gap:.5rem;margin:.25rem 0}.row input{flex:1}
button,a.b{font:inherit;font-weight:600;border-radius:6px;padding:.5rem 1rem;min-height:44px;cursor:pointer;text-decoration:none;display:inline-flex;align-items:center;box-sizing:border-box}
button{background:var(--p);color:var(--o);border:2px solid var(--p)}
.s,a.b{background:var(--b);color:var(--p);border:2px solid var(--p)}
:focus-visible{outline:3px solid var(--t);outline-offset:2px}
ul{list-style:none;padding:0;margin:.75rem 0;display:flex;flex-wrap:wrap;gap:.5rem}
.err{font-weight:600;border-left:4px solid var(--p);padding-left:.5rem}
.v{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
img{display:block;width:180px;height:180px;background:#fff;padding:8px}`;

  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };
  const host = el('div');
  script.after(host);
  const root = host.attachShadow({ mode: 'open' });
  if ('adoptedStyleSheets' in root) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(el('style', { textContent: CSS })); // older browsers; a strict style-src blocks it
  }

  const status = el('p', { className: 'v' });
  status.setAttribute('role', 'status');
  const offers = el('div', { className: 'offers' }, el('p', {}, `${t.you_get}: `, el('b', { textContent: words.offer }), ` ${words.note}`));
  if (words.friend) offers.append(el('p', {}, `${t.friend_gets}: `, el('b', { textContent: words.friend })));

  // The form: the buyer's email, filled in by the shop, and one button.
  const emailInput = el('input', { id: 'e', type: 'email', name: 'email', required: true, autocomplete: 'email', value: email });
  emailInput.setAttribute('aria-describedby', 'eh ee');
  const error = el('p', { id: 'ee', className: 'err', hidden: true });
  error.setAttribute('role', 'alert');
  const submit = el('button', { type: 'submit', textContent: t.submit });
  const form = el('form', {},
    el('label', { htmlFor: 'e', textContent: t.email }), emailInput,
    el('p', { id: 'eh', textContent: t.email_hint }), error, submit);

  // The share panel, shown once the API has answered with the personal link.
  const heading = el('h2', { id: 'sh', tabIndex: -1, textContent: t.share_title });
  const linkInput = el('input', { id: 'l', type: 'text', readOnly: true });
  const feedback = el('p', { className: 'v' });
  feedback.setAttribute('role', 'status');
  const share = el('div', { hidden: true }, heading, el('p', { textContent: t.enrolled }),
    el('label', { htmlFor: 'l', textContent: t.link }), el('div', { className: 'row' }, linkInput), feedback);
  if (words.channels.includes('copy')) {
    const copy = el('button', { type: 'button', textContent: t.copy });
    copy.addEventListener('click', async () => {
      let copied = false;
      try {
        await navigator.clipboard.writeText(linkInput.value);
        copied = true;
      } catch {
        linkInput.select();
      }
      feedback.textContent = '';
      feedback.textContent = copied ? t.copied : t.copy_failed;
    });
    share.querySelector('.row').append(copy);
  }
  const list = el('ul');
  list.setAttribute('aria-label', t.channels);
  const figure = el('figure', { id: 'q', hidden: true }, el('img', { alt: t.qr_alt }), el('figcaption', { textContent: t.qr_hint }));
  share.append(list, figure);

  const title = el('h2', { id: 'pt', textContent: words.title });
  const panel = el('section', { className: 'pp', lang }, title, offers, form, share, status);
  panel.setAttribute('aria-labelledby', 'pt');
  root.append(panel);

  const problem = (answer) => {
    if (!answer) return t.network;
    if (answer.status === 429 || answer.status === 409) return t.busy;
    const name = answer.data && answer.data.error;
    return (typeof name === 'string' && Object.hasOwn(DATA.errors, name) && t[DATA.errors[name]]) || t.generic;
  };

  // Each network's own share URL, as the invite page has them (share.py's share_href).
  const q = encodeURIComponent;
  const HREFS = {
    email: (l) => `mailto:?subject=${q(words.subject)}&body=${q(`${words.message}\n\n`)}${l}`,
    sms: (l) => `sms:?body=${q(`${words.message} `)}${l}`,
    whatsapp: (l) => `https://wa.me/?text=${q(`${words.message} `)}${l}`,
    telegram: (l) => `https://t.me/share/url?url=${l}&text=${q(words.message)}`,
    x: (l) => `https://x.com/intent/tweet?text=${q(words.message)}&url=${l}`,
    facebook: (l) => `https://www.facebook.com/sharer/sharer.php?u=${l}`,
    linkedin: (l) => `https://www.linkedin.com/sharing/share-offsite/?url=${l}`,
  };

  function open({ share_url: link, qr }) {
    linkInput.value = link;
    for (const channel of words.channels) {
      let item;
      if (channel === 'native') {
        if (!navigator.share) continue;
        item = el('button', { type: 'button', className: 's', textContent: t.native });
        item.addEventListener('click', () => navigator.share({ title: words.title, text: words.message, url: link }).catch(() => {}));
      } else if (channel === 'qr') {
        if (typeof qr !== 'string' || !qr.startsWith('data:image/svg+xml')) continue;
        figure.querySelector('img').src = qr;
        item = el('button', { type: 'button', className: 's', textContent: t.qr });
        item.setAttribute('aria-expanded', 'false');
        item.setAttribute('aria-controls', 'q');
        item.addEventListener('click', () => {
          figure.hidden = !figure.hidden;
          item.setAttribute('aria-expanded', String(!figure.hidden));
        });
      } else if (Object.hasOwn(HREFS, channel)) {
        const label = DATA.networks[channel] || t[`channel_${channel}`];
        item = el('a', { className: 'b', href: HREFS[channel](q(link)), textContent: label });
        item.dataset.channel = channel;
        if (channel !== 'email' && channel !== 'sms') {
          Object.assign(item, { target: '_blank', rel: 'noopener noreferrer' });
          item.append(el('span', { className: 'v', textContent: ` (${t.new_tab})` }));
        }
      } else {
        continue; // copy: the button beside the link
      }
      list.append(el('li', {}, item));
    }
    form.hidden = true;
    share.hidden = false;
    heading.focus();
  }

  let busy = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    submit.textContent = t.sending;
    status.textContent = t.sending;
    error.hidden = true;
    let answer = null;
    try {
      const response = await fetch(`${api}/referrers`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ campaign: slug, email: emailInput.value.trim(), locale: lang }),
        credentials: 'omit',
        cache: 'no-store',
      });
      answer = { status: response.status, data: await response.json().catch(() => null) };
    } catch {
      // The network, or CORS: this page's origin is not among the brand's shop_origins.
    }
    busy = false;
    submit.textContent = t.submit;
    status.textContent = '';
    const link = answer && answer.status === 201 && answer.data && answer.data.share_url;
    if (typeof link === 'string' && /^https?:\/\/\S+$/i.test(link)) {
      open(answer.data);
    } else {
      error.textContent = problem(answer);
      error.hidden = false;
    }
  });
})();

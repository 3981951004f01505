/**
 * HTML for each corpus layout: two A4 bill designs and a European-format
 * bill, a thermal-printer receipt and a minimal receipt. Only DejaVu fonts
 * (what Debian's Chromium has here).
 */
import { formatDate, formatNumber, type DocumentSpec } from './documents';

export const A4 = { width: 794, height: 1123 };
export const RECEIPT_WIDTH = { receipt: 300, 'minimal-receipt': 360 } as const;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const SYMBOL: Record<string, string> = { GBP: '£', USD: '$', EUR: '€', PHP: '₱' };

/** An amount as printed, with or without its currency. */
function amount(d: DocumentSpec, canonical: string, withCurrency: boolean, variant = 0): string {
  const n = formatNumber(canonical, d.numberStyle);
  if (!withCurrency) return n;
  const c = d.truth.currency;
  if (c === 'EUR') return d.numberStyle === 'dot' ? `€${n}` : variant % 2 ? `EUR ${n}` : `${n} €`;
  if (c === 'PHP') return variant % 2 ? `PHP ${n}` : `₱${n}`;
  return variant % 3 === 2 ? `${c} ${n}` : `${SYMBOL[c]}${n}`;
}

const date = (d: DocumentSpec, iso: string | null) => (iso ? formatDate(iso, d.dateStyle) : '');

function page(body: string, css: string, width: number): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
*{box-sizing:border-box} html,body{margin:0;padding:0;background:#fff}
.page{width:${width}px;background:#fff;color:#1d1d1d;font-family:'DejaVu Sans',sans-serif;font-size:13px;line-height:1.35}
table{border-collapse:collapse} ${css}</style></head><body><div class="page">${body}</div></body></html>`;
}

function itemsTable(d: DocumentSpec, headers: [string, string, string, string], pos = false): string {
  const rows = d.truth.lines
    .map((l, i) => `<tr>${pos ? `<td class="pos">${i + 1}</td>` : ''}<td>${esc(l.description)}</td><td class="n">${l.quantity}</td><td class="n">${amount(d, l.unit_price, false)}</td><td class="n">${amount(d, l.amount, false)}</td></tr>`)
    .join('');
  return `<table class="items"><thead><tr>${pos ? '<th class="pos">Pos.</th>' : ''}<th>${headers[0]}</th><th class="n">${headers[1]}</th><th class="n">${headers[2]}</th><th class="n">${headers[3]}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function classic(d: DocumentSpec): string {
  const t = d.truth;
  const body = `
<div class="head"><div><div class="vendor">${esc(t.vendor)}</div>${d.address.map((a) => `<div>${esc(a)}</div>`).join('')}<div>Tel ${d.phone}</div>
${d.vatDisplay ? `<div>${d.vatLabel} ${d.vatDisplay}</div>` : ''}</div>
<div class="right"><div class="title">INVOICE</div><table class="meta">
<tr><td>Invoice No:</td><td>${t.invoice_number}</td></tr><tr><td>Invoice Date:</td><td>${date(d, t.invoice_date)}</td></tr><tr><td>Due Date:</td><td>${date(d, t.due_date)}</td></tr></table></div></div>
<div class="bill"><div class="lbl">Bill To</div><div>${esc(d.customer.name)}</div>${d.customer.address.map((a) => `<div>${esc(a)}</div>`).join('')}</div>
${itemsTable(d, ['Description', 'Qty', 'Unit Price', 'Amount'])}
<table class="totals"><tr><td>Subtotal</td><td class="n">${amount(d, t.subtotal, false)}</td></tr><tr><td>${d.taxLabel}</td><td class="n">${amount(d, t.tax, false)}</td></tr>
<tr class="grand"><td>${d.totalLabel}</td><td class="n">${amount(d, t.total, true)}</td></tr></table>
<div class="foot">Payment terms: ${t.due_date ? 'due by the date above' : 'on receipt'}. Please quote the invoice number with your payment.<br>Bank transfer: Sort code 20-${d.phone.slice(-4, -2)}-17, Account 4${d.phone.slice(-4)}93. Thank you for your business.</div>`;
  return page(body, `.page{padding:56px 60px;min-height:${A4.height}px}
.head{display:flex;justify-content:space-between;gap:24px}.vendor{font-size:25px;font-weight:bold;margin-bottom:6px}
.right{text-align:right;white-space:nowrap}.title{font-size:30px;letter-spacing:3px;color:#444;margin-bottom:10px}.meta td{padding:2px 0 2px 14px;text-align:right}
.bill{margin:34px 0 24px}.lbl{font-weight:bold;text-transform:uppercase;font-size:11px;color:#555;margin-bottom:4px}
.items{width:100%}.items th{text-align:left;border-bottom:2px solid #333;padding:7px 6px}.items td{padding:7px 6px;border-bottom:1px solid #ccc}
.n{text-align:right!important}.totals{margin:18px 0 0 auto;min-width:300px}.totals td{padding:5px 6px}.grand td{font-weight:bold;font-size:16px;border-top:2px solid #333}
.foot{margin-top:70px;font-size:11px;color:#555}`, A4.width);
}

function twoColumn(d: DocumentSpec): string {
  const t = d.truth;
  const body = `
<div class="band"><div class="vendor">${esc(t.vendor)}</div><div class="addr">${d.address.map(esc).join('<br>')}<br>${d.email}<br>${d.vatDisplay ? `${d.vatLabel} ${d.vatDisplay}` : ''}</div></div>
<div class="cols"><div><div class="lbl">Billed to</div><div class="cust">${esc(d.customer.name)}</div>${d.customer.address.map((a) => `<div>${esc(a)}</div>`).join('')}</div>
<div class="grid"><div><div class="lbl">Invoice #</div><div>${t.invoice_number}</div></div><div><div class="lbl">Issue date</div><div>${date(d, t.invoice_date)}</div></div>
<div><div class="lbl">Due date</div><div>${date(d, t.due_date)}</div></div></div></div>
${itemsTable(d, ['Item', 'Qty', 'Rate', 'Line total'])}
<div class="sum"><div><span>Subtotal</span><span>${amount(d, t.subtotal, false)}</span></div><div><span>${d.taxLabel}</span><span>${amount(d, t.tax, false)}</span></div>
<div class="due"><span>Amount due</span><span>${amount(d, t.total, true, 1)}</span></div></div>
<div class="foot">Questions about this invoice? Contact ${d.email} or call ${d.phone}.</div>`;
  return page(body, `.page{padding:48px 56px;min-height:${A4.height}px;font-size:13px}
.band{display:flex;justify-content:space-between;align-items:flex-start;background:#eef3f7;padding:22px 24px;margin-bottom:30px}.vendor{font-size:24px;font-weight:bold;color:#123}
.addr{text-align:right;font-size:12px;white-space:nowrap;margin-left:24px}.cols{display:flex;justify-content:space-between;margin-bottom:30px}.lbl{font-size:11px;color:#667;text-transform:uppercase;letter-spacing:1px;margin-bottom:3px}
.cust{font-weight:bold}.grid{display:grid;grid-template-columns:auto auto auto;gap:0 34px}
.items{width:100%}.items th{text-align:left;background:#123;color:#fff;padding:8px}.items td{padding:8px;border-bottom:1px solid #dde}.n{text-align:right!important}
.sum{margin:20px 0 0 auto;width:320px}.sum div{display:flex;justify-content:space-between;padding:5px 8px}.due{background:#eef3f7;font-weight:bold;font-size:16px}
.foot{margin-top:80px;font-size:11px;color:#667}`, A4.width);
}

function european(d: DocumentSpec): string {
  const t = d.truth;
  const body = `
<div class="vendor">${esc(t.vendor)}</div>
<div class="sender">${esc(t.vendor)} · ${d.address.map(esc).join(' · ')}</div>
<div class="cols"><div class="cust">${esc(d.customer.name)}<br>${d.customer.address.map(esc).join('<br>')}</div>
<table class="info"><tr><td>Invoice number</td><td>${t.invoice_number}</td></tr><tr><td>Invoice date</td><td>${date(d, t.invoice_date)}</td></tr>
<tr><td>Due date</td><td>${date(d, t.due_date)}</td></tr><tr><td>Currency</td><td>${t.currency}</td></tr></table></div>
<h1>Invoice ${t.invoice_number}</h1>
${itemsTable(d, ['Description', 'Qty', 'Unit price', 'Amount'], true)}
<table class="totals"><tr><td>Net amount</td><td class="n">${amount(d, t.subtotal, false)}</td></tr><tr><td>${d.taxLabel}</td><td class="n">${amount(d, t.tax, false)}</td></tr>
<tr class="grand"><td>Total ${t.currency}</td><td class="n">${amount(d, t.total, false)}</td></tr></table>
<div class="foot">${esc(t.vendor)} · ${d.vatLabel} ${d.vatDisplay ?? ''} · IBAN DE${d.phone.replace(/\D/g, '').slice(0, 6)} 0044 0532 0130 00 · BIC COBADEFFXXX · ${d.email}</div>`;
  return page(body, `.page{padding:50px 64px;min-height:${A4.height}px;font-family:'DejaVu Serif',serif}
.vendor{font-size:22px;font-weight:bold;text-align:right}.sender{font-size:9px;text-decoration:underline;margin:40px 0 8px}
.cols{display:flex;justify-content:space-between;margin-bottom:34px}.info td{padding:2px 0 2px 18px;white-space:nowrap}.info td:first-child{color:#555}
h1{font-size:19px;margin:0 0 16px}.items{width:100%}.items th{text-align:left;border-bottom:1px solid #000;padding:6px 5px}.items td{padding:6px 5px}.pos{width:40px}
.n{text-align:right!important}.totals{margin:16px 0 0 auto;min-width:280px;border-top:1px solid #000}.totals td{padding:4px 5px}.grand td{font-weight:bold;border-top:1px double #000}
.foot{margin-top:90px;font-size:10px;color:#444;border-top:1px solid #999;padding-top:6px}`, A4.width);
}

function receipt(d: DocumentSpec): string {
  const t = d.truth;
  const time = `${String(8 + (t.invoice_number.charCodeAt(0) % 12)).padStart(2, '0')}:${String(t.invoice_number.length * 7 % 60).padStart(2, '0')}`;
  const line = (a: string, b: string, cls = '') => `<div class="l ${cls}"><span>${a}</span><span>${b}</span></div>`;
  const body = `
<div class="c big">${esc(t.vendor.toUpperCase())}</div>${d.address.map((a) => `<div class="c">${esc(a)}</div>`).join('')}<div class="c">Tel ${d.phone}</div>
${d.vatDisplay ? `<div class="c">${d.vatLabel} ${d.vatDisplay}</div>` : ''}
<div class="sep"></div>${line(`Receipt #: ${t.invoice_number}`, '')}${line(`Date: ${date(d, t.invoice_date)} ${time}`, '')}<div class="sep"></div>
${t.lines.map((l) => line(`${l.quantity} x ${esc(l.description)}`, amount(d, l.amount, false))).join('')}
<div class="sep"></div>${line('SUBTOTAL', amount(d, t.subtotal, false))}${line(d.taxLabel.toUpperCase(), amount(d, t.tax, false))}
${line(d.totalLabel, amount(d, t.total, true), 'tot')}
${d.paid ? line(d.paid.label, amount(d, d.paid.amount, false)) + line('CHANGE', amount(d, d.paid.change, false)) : line('PAID BY CARD', '**** ' + d.phone.slice(-4))}
<div class="sep"></div><div class="c">THANK YOU, COME AGAIN!</div>`;
  return page(body, `.page{padding:18px 16px 26px;font-family:'DejaVu Sans Mono',monospace;font-size:13px}
.c{text-align:center}.big{font-size:17px;font-weight:bold;margin-bottom:4px}.sep{border-top:1px dashed #333;margin:8px 0}
.l{display:flex;justify-content:space-between;gap:10px}.tot{font-weight:bold;font-size:15px;margin:3px 0}`, RECEIPT_WIDTH.receipt);
}

function minimalReceipt(d: DocumentSpec): string {
  const t = d.truth;
  const body = `
<div class="vendor">${esc(t.vendor)}</div><div class="muted">${d.address.map(esc).join(', ')}</div>
${d.vatDisplay ? `<div class="muted">${d.vatLabel} ${d.vatDisplay}</div>` : ''}
<div class="meta"><div>Receipt no. ${t.invoice_number}</div><div>${date(d, t.invoice_date)}</div></div>
<table>${t.lines.map((l) => `<tr><td>${esc(l.description)}</td><td class="n q">${l.quantity} @ ${amount(d, l.unit_price, false)}</td><td class="n">${amount(d, l.amount, false)}</td></tr>`).join('')}</table>
<div class="tot"><div><span>Net</span><span>${amount(d, t.subtotal, false)}</span></div><div><span>${d.taxLabel}</span><span>${amount(d, t.tax, false)}</span></div>
<div class="g"><span>${d.totalLabel}</span><span>${amount(d, t.total, true, 1)}</span></div></div>
<div class="muted c">${d.paid ? `Paid cash ${amount(d, d.paid.amount, false)}` : 'Paid by card'} · Thank you</div>`;
  return page(body, `.page{padding:22px 20px;font-size:13px}.vendor{font-size:19px;font-weight:bold}.muted{color:#555;font-size:11px}.c{text-align:center;margin-top:16px}
.meta{display:flex;justify-content:space-between;margin:14px 0 10px;border-bottom:1px solid #bbb;padding-bottom:6px}
table{width:100%}td{padding:3px 0}.n{text-align:right}.q{color:#444;font-size:12px;padding:0 12px}
.tot{border-top:1px solid #bbb;margin-top:8px;padding-top:6px}.tot div{display:flex;justify-content:space-between;padding:2px 0}.g{font-weight:bold;font-size:16px}`, RECEIPT_WIDTH['minimal-receipt']);
}

export function documentHtml(d: DocumentSpec): string {
  switch (d.layout) {
    case 'classic':
      return classic(d);
    case 'two-column':
      return twoColumn(d);
    case 'european':
      return european(d);
    case 'receipt':
      return receipt(d);
    case 'minimal-receipt':
      return minimalReceipt(d);
  }
}

/** A page that shows `png` degraded like a scan: rotated, blurred, lower contrast, grainy. */
export function scannedHtml(pngDataUrl: string, width: number, height: number, g: NonNullable<DocumentSpec['degrade']>, seed: number): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0}
.scan{position:relative;width:${width}px;height:${height}px;overflow:hidden;background:#f3f1ea}
.scan img{position:absolute;left:0;top:0;width:${width}px;height:${height}px;transform:rotate(${g.angle.toFixed(2)}deg) scale(0.97);filter:blur(${g.blur.toFixed(2)}px) contrast(${g.contrast.toFixed(2)}) brightness(1.03);mix-blend-mode:multiply}
.scan svg{position:absolute;left:0;top:0}</style></head><body><div class="scan"><img src="${pngDataUrl}">
<svg width="${width}" height="${height}"><filter id="n"><feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="2" seed="${seed}"/><feColorMatrix type="saturate" values="0"/></filter>
<rect width="100%" height="100%" filter="url(#n)" opacity="${g.noise.toFixed(3)}"/></svg></div></body></html>`;
}

/** A PDF page holding only a picture (a scanner's PDF: no text layer). */
export function imagePageHtml(dataUrl: string, widthPx: number, heightPx: number): string {
  return `<!doctype html><html><head><style>@page{margin:0;size:${widthPx}px ${heightPx}px}html,body{margin:0;padding:0}img{display:block;width:${widthPx}px;height:${heightPx}px}</style></head><body><img src="${dataUrl}"></body></html>`;
}

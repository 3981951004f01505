/**
 * The corpus's documents as data: what is printed on each receipt or bill
 * (the ground truth, canonical like the Extraction shape) and how it is
 * printed (number and date styles, labels), drawn from a seeded PRNG.
 */
import { Random } from './random';

export type Layout = 'classic' | 'two-column' | 'european' | 'receipt' | 'minimal-receipt';
export const LAYOUTS: readonly Layout[] = ['classic', 'two-column', 'european', 'receipt', 'minimal-receipt'];

/** image = clean PNG/JPEG screenshot; text-pdf = PDF with a text layer; scanned-* = degraded picture (rotated, noisy, blurred), no text layer */
export type DocumentKind = 'image' | 'text-pdf' | 'scanned-pdf' | 'scanned-image';

export interface TruthLine {
  description: string;
  quantity: string;
  unit_price: string;
  amount: string;
}

export interface Truth {
  vendor: string;
  /** canonical: upper-case letters and digits only */
  vendor_vat: string | null;
  invoice_number: string;
  invoice_date: string;
  due_date: string | null;
  currency: string;
  subtotal: string;
  tax: string;
  total: string;
  lines: TruthLine[];
}

export type NumberStyle = 'dot' | 'comma' | 'space';
export type DateStyle = 'iso' | 'dmy-slash' | 'mdy-slash' | 'dmy-dot' | 'd-mon-y' | 'month-d-y';

export interface DocumentSpec {
  id: string;
  layout: Layout;
  kind: DocumentKind;
  /** the file written */
  format: 'png' | 'jpeg' | 'pdf';
  truth: Truth;
  numberStyle: NumberStyle;
  dateStyle: DateStyle;
  /** how the tax id is printed, e.g. "GB 123 4567 89" */
  vatDisplay: string | null;
  vatLabel: string;
  taxLabel: string;
  taxRate: number;
  totalLabel: string;
  customer: { name: string; address: string[] };
  address: string[];
  phone: string;
  email: string;
  paid?: { label: string; amount: string; change: string };
  /** scanned kinds: rotation (degrees), blur (px), noise opacity, contrast */
  degrade?: { angle: number; blur: number; noise: number; contrast: number };
}

const PLACE = ['Northwind', 'Harbor', 'Bluebird', 'Cedar', 'Summit', 'Granite', 'Lakeside', 'Riverside', 'Oakwood', 'Silverline', 'Brightwater', 'Kestrel', 'Meridian', 'Pinecrest', 'Redwood', 'Sterling', 'Bayview', 'Ironbridge', 'Westgate', 'Copperfield', 'Foxglove', 'Greenleaf', 'Highland', 'Larkspur', 'Orchard', 'Quayside', 'Thornbury', 'Willow', 'Ashford', 'Beacon'];
const TRADE = ['Office Supplies', 'Consulting', 'Logistics', 'Catering', 'Print Works', 'IT Services', 'Stationers', 'Cleaning Services', 'Electrical', 'Hardware', 'Software', 'Legal Services', 'Marketing', 'Freight', 'Engineering', 'Facilities', 'Design Studio', 'Data Systems'];
const SHOP = ['Cafe', 'Bakery', 'Pharmacy', 'Diner', 'Market', 'Grocers', 'Books', 'Hardware Store', 'Kitchen', 'Deli', 'Coffee House', 'Fuel Station', 'Minimart'];
const SUFFIX: Record<string, string[]> = { GBP: ['Ltd', 'Limited', 'PLC'], USD: ['LLC', 'Inc.', 'Corp.'], PHP: ['Inc.', 'Corporation', 'Trading Co.'], EUR: ['GmbH', 'B.V.', 'S.A.', 'AG', 'S.r.l.'] };
const CUSTOMERS = [
  { name: 'Workbench Finance Ltd', address: ['12 Canal Street', 'Manchester M1 3HE', 'United Kingdom'] },
  { name: 'Acme Analytics Inc.', address: ['400 Market Street, Suite 210', 'Philadelphia, PA 19106', 'USA'] },
  { name: 'Delta Holdings B.V.', address: ['Keizersgracht 221', '1016 DV Amsterdam', 'Netherlands'] },
];
const OFFICE_ITEMS: [string, number, number][] = [
  ['A4 copy paper, 5 reams', 18, 32], ['Toner cartridge black', 45, 120], ['Consulting services', 90, 180], ['Software licence (annual)', 200, 900], ['Desk chair, ergonomic', 150, 420],
  ['Monthly cleaning service', 300, 800], ['Network switch 24-port', 180, 450], ['Courier delivery', 12, 60], ['Project management', 80, 150], ['Printer maintenance', 60, 160],
  ['USB-C docking station', 90, 240], ['Catering for meeting', 120, 480], ['Website hosting', 20, 90], ['Filing cabinet', 110, 260], ['Legal review', 150, 400],
  ['Whiteboard markers (box)', 6, 18], ['Laptop stand', 25, 70], ['Data backup service', 40, 160], ['Training workshop', 250, 900], ['Office chairs repair', 35, 95],
];
const RECEIPT_ITEMS: [string, number, number][] = [
  ['Cappuccino', 2.5, 5], ['Croissant', 1.8, 4], ['Bottled water', 0.9, 2.5], ['Club sandwich', 5, 11], ['Green tea', 1.5, 3.5], ['Blueberry muffin', 2, 4.5],
  ['Paracetamol 500mg', 2, 7], ['Notebook A5', 2.5, 8], ['AA batteries 4pk', 3, 9], ['Orange juice', 2, 5], ['Bagel', 1.5, 4], ['Caesar salad', 6, 12],
  ['Unleaded fuel', 30, 80], ['Ballpoint pens 10pk', 2, 6], ['Phone charger', 8, 25], ['Chicken adobo', 4, 9],
];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const money = (n: number) => (Math.round(n * 100) / 100).toFixed(2);

/** The amount as the document prints it, without currency. */
export function formatNumber(canonical: string, style: NumberStyle): string {
  const [int, frac] = canonical.split('.') as [string, string];
  const neg = int.startsWith('-');
  const digits = neg ? int.slice(1) : int;
  const sep = style === 'dot' ? ',' : style === 'comma' ? '.' : '\u202f';
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return `${neg ? '-' : ''}${grouped}${style === 'dot' ? '.' : ','}${frac}`;
}

export function formatDate(iso: string, style: DateStyle): string {
  const [y, m, d] = iso.split('-') as [string, string, string];
  const mon = MONTHS[Number(m) - 1]!;
  switch (style) {
    case 'iso':
      return iso;
    case 'dmy-slash':
      return `${d}/${m}/${y}`;
    case 'mdy-slash':
      return `${m}/${d}/${y}`;
    case 'dmy-dot':
      return `${d}.${m}.${y}`;
    case 'd-mon-y':
      return `${Number(d)} ${mon.slice(0, 3)} ${y}`;
    case 'month-d-y':
      return `${mon} ${Number(d)}, ${y}`;
  }
}

function vat(r: Random, currency: string): { canonical: string; display: string; label: string } | null {
  switch (currency) {
    case 'GBP': {
      const d = r.digits(9);
      return { canonical: `GB${d}`, display: `GB ${d.slice(0, 3)} ${d.slice(3, 7)} ${d.slice(7)}`, label: r.pick(['VAT Reg No:', 'VAT No.', 'VAT Registration:']) };
    }
    case 'EUR': {
      const c = r.pick(['DE', 'NL', 'FR', 'AT', 'BE']);
      const body = c === 'NL' ? `${r.digits(9)}B${r.digits(2)}` : c === 'FR' ? r.digits(11) : c === 'AT' ? `U${r.digits(8)}` : c === 'BE' ? `0${r.digits(9)}` : r.digits(9);
      return { canonical: `${c}${body}`, display: `${c}${body}`, label: r.pick(['VAT ID:', 'VAT No.', 'VAT Reg. No.']) };
    }
    case 'PHP': {
      const d = r.digits(12);
      return { canonical: d, display: `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6, 9)}-${d.slice(9)}`, label: r.pick(['VAT Reg TIN:', 'TIN:', 'VAT REG TIN']) };
    }
    default: {
      const d = r.digits(9);
      return { canonical: d, display: `${d.slice(0, 2)}-${d.slice(2)}`, label: r.pick(['Tax ID:', 'EIN:']) };
    }
  }
}

function isoDate(r: Random): string {
  const y = r.pick([2024, 2025]);
  const m = r.int(1, 12);
  const d = r.int(1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function addDays(iso: string, days: number): string {
  const t = new Date(`${iso}T00:00:00Z`).getTime() + days * 86400000;
  return new Date(t).toISOString().slice(0, 10);
}

const TAX: Record<string, { rate: number; label: string }[]> = {
  GBP: [{ rate: 0.2, label: 'VAT 20%' }],
  USD: [{ rate: 0.0825, label: 'Sales Tax 8.25%' }, { rate: 0.07, label: 'Tax (7%)' }, { rate: 0.06, label: 'Sales tax 6%' }],
  PHP: [{ rate: 0.12, label: 'VAT 12%' }],
  EUR: [{ rate: 0.19, label: 'VAT 19%' }, { rate: 0.21, label: 'VAT 21%' }, { rate: 0.2, label: 'VAT 20%' }, { rate: 0.1, label: 'VAT 10%' }],
};

const CURRENCIES: Record<Layout, string[]> = {
  classic: ['GBP', 'USD', 'PHP', 'GBP'],
  'two-column': ['USD', 'GBP', 'PHP', 'USD'],
  european: ['EUR'],
  receipt: ['PHP', 'USD', 'GBP', 'EUR'],
  'minimal-receipt': ['EUR', 'USD', 'GBP', 'PHP'],
};

const KINDS: readonly DocumentKind[] = ['image', 'text-pdf', 'scanned-pdf', 'image', 'text-pdf', 'scanned-image'];

/** The i-th document of the corpus for `seed`: independent of how many documents are drawn. */
export function documentSpec(seed: number, i: number): DocumentSpec {
  const r = Random.for(seed, i);
  const layout = LAYOUTS[i % LAYOUTS.length]!;
  const slot = Math.floor(i / LAYOUTS.length) % KINDS.length;
  const kind = KINDS[slot]!;
  const format = kind === 'text-pdf' || kind === 'scanned-pdf' ? 'pdf' : kind === 'image' && slot === 0 ? 'png' : 'jpeg';
  const currency = r.pick(CURRENCIES[layout]);
  const receipt = layout === 'receipt' || layout === 'minimal-receipt';
  const place = r.pick(PLACE);
  const vendor = receipt ? `${place} ${r.pick(SHOP)}` : `${place} ${r.pick(TRADE)} ${r.pick(SUFFIX[currency]!)}`;
  const v = receipt ? (currency === 'PHP' ? vat(r, currency) : null) : vat(r, currency);
  const tax = r.pick(TAX[currency]!);
  const nLines = receipt ? r.int(1, 6) : r.int(1, 8);
  const pool = receipt ? RECEIPT_ITEMS : OFFICE_ITEMS;
  const scale = currency === 'PHP' ? (receipt ? 50 : 40) : 1;
  const lines: TruthLine[] = r.sample(pool, nLines).map(([description, lo, hi]) => {
    const q = receipt ? r.int(1, 3) : r.pick([1, 1, 2, 3, 4, 5, 10, 12]);
    const unit = money((lo + r.next() * (hi - lo)) * scale);
    return { description, quantity: String(q), unit_price: unit, amount: money(q * Number(unit)) };
  });
  const subtotalN = lines.reduce((a, l) => a + Number(l.amount), 0);
  const taxN = Math.round(subtotalN * tax.rate * 100) / 100;
  const totalN = subtotalN + taxN;
  const invoiceDate = isoDate(r);
  const numberStyle: NumberStyle = layout === 'european' ? r.pick(['comma', 'comma', 'space']) : currency === 'EUR' ? r.pick(['comma', 'dot']) : 'dot';
  const dateStyle: DateStyle =
    layout === 'european' ? 'dmy-dot'
    : layout === 'classic' ? (currency === 'USD' ? 'month-d-y' : 'd-mon-y')
    : layout === 'two-column' ? (currency === 'USD' ? r.pick(['mdy-slash', 'iso']) : r.pick(['dmy-slash', 'iso']))
    : layout === 'receipt' ? (currency === 'USD' ? 'mdy-slash' : currency === 'EUR' ? 'dmy-dot' : 'dmy-slash')
    : 'iso';
  const invoiceNumber = receipt
    ? r.pick([() => r.digits(6), () => `R-${invoiceDate.replace(/-/g, '')}-${r.digits(3)}`, () => `${r.digits(4)}-${r.digits(4)}`])()
    : r.pick([() => `INV-${invoiceDate.slice(0, 4)}-${r.digits(4)}`, () => `A-${r.digits(5)}`, () => `${invoiceDate.slice(0, 4)}/${r.digits(4)}`, () => `BL-${r.digits(5)}`, () => `F${invoiceDate.slice(0, 4)}-${r.digits(4)}`])();
  const streets = ['High Street', 'Market Road', 'Station Avenue', 'Mill Lane', 'Harbour Road', 'Church Street'];
  const city: Record<string, string> = { GBP: 'Leeds LS1 4AP', USD: 'Austin, TX 78701', PHP: 'Makati City 1226', EUR: r.pick(['10115 Berlin', '1012 AB Amsterdam', '75002 Paris', '1010 Wien']) };
  const total = money(totalN);
  const spec: DocumentSpec = {
    id: `doc-${String(i + 1).padStart(3, '0')}-${layout}-${kind}`,
    layout,
    kind,
    format,
    truth: {
      vendor,
      vendor_vat: v?.canonical ?? null,
      invoice_number: invoiceNumber,
      invoice_date: invoiceDate,
      due_date: receipt ? null : addDays(invoiceDate, r.pick([14, 30, 30, 45, 60])),
      currency,
      subtotal: money(subtotalN),
      tax: money(taxN),
      total,
      lines,
    },
    numberStyle,
    dateStyle,
    vatDisplay: v?.display ?? null,
    vatLabel: v?.label ?? '',
    taxLabel: tax.label,
    taxRate: tax.rate,
    totalLabel: receipt ? r.pick(['TOTAL', 'Total', 'AMOUNT DUE']) : r.pick(['Total', 'Total due', 'Amount due', 'Balance due', 'Grand total']),
    customer: r.pick(CUSTOMERS),
    address: [`${r.int(1, 240)} ${r.pick(streets)}`, city[currency]!],
    phone: currency === 'GBP' ? `+44 113 ${r.digits(3)} ${r.digits(4)}` : currency === 'USD' ? `(512) ${r.digits(3)}-${r.digits(4)}` : currency === 'PHP' ? `+63 2 8${r.digits(3)} ${r.digits(4)}` : `+49 30 ${r.digits(7)}`,
    email: `billing@${place.toLowerCase()}.example`,
  };
  if (receipt && r.chance(0.6)) {
    const paid = Math.ceil(totalN / (currency === 'PHP' ? 500 : 10)) * (currency === 'PHP' ? 500 : 10) + (r.chance(0.5) ? (currency === 'PHP' ? 500 : 10) : 0);
    spec.paid = { label: 'CASH', amount: money(paid), change: money(paid - totalN) };
  }
  if (kind === 'scanned-pdf' || kind === 'scanned-image') {
    spec.degrade = { angle: (r.chance(0.5) ? -1 : 1) * (1 + r.next() * 2), blur: 0.3 + r.next() * 0.4, noise: 0.08 + r.next() * 0.1, contrast: 0.75 + r.next() * 0.15 };
  }
  return spec;
}

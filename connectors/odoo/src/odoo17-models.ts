/**
 * The Odoo 17.0 models the demo database holds, as Odoo declares them:
 * technical name, table, `_description`, and per stored field its name,
 * type, label (`string`), relation and whether it is required. One source
 * of truth for the generator's DDL (SQL types and comments follow Odoo's
 * `fields.py`: Char/Selection varchar, translated Char jsonb, Monetary
 * numeric, Float numeric with digits else float8, Many2one int4,
 * Datetime timestamp without time zone) and for the API simulator's field
 * whitelist and `fields_get`.
 *
 * Only the fields the demo fills and a month-end extract reads are listed;
 * Odoo has many more (and computed, non-stored ones that have no column).
 * Odoo 18 differences are in README.md.
 */

export type FieldType = 'char' | 'text' | 'html' | 'selection' | 'integer' | 'float' | 'monetary' | 'boolean' | 'date' | 'datetime' | 'many2one' | 'json';

export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  readonly string: string;
  readonly relation?: string;
  readonly required?: boolean;
  readonly translate?: boolean;
  /** varchar(n) */
  readonly size?: number;
  /** Float with `digits`: numeric rather than float8. */
  readonly digits?: boolean;
  readonly selection?: readonly (readonly [string, string])[];
  readonly ondelete?: 'cascade' | 'restrict' | 'set null';
  /** `index=True` (btree) or `index='btree_not_null'` (partial: WHERE col IS NOT NULL). */
  readonly index?: boolean | 'btree_not_null';
}

export interface ModelDef {
  readonly model: string;
  readonly table: string;
  readonly description: string;
  /** Odoo's `_order`. */
  readonly order: string;
  /** SQL (over alias `t`) for display_name. */
  readonly displayName: string;
  readonly fields: readonly FieldDef[];
  /** Odoo `_sql_constraints` as table constraints, named `<table>_<name>`. */
  readonly checks?: readonly { readonly name: string; readonly sql: string }[];
  readonly uniqueIndexes?: readonly { readonly name: string; readonly sql: string }[];
  /** Indexes Odoo creates in the model's init(). */
  readonly indexes?: readonly { readonly name: string; readonly sql: string }[];
}

const char = (name: string, string: string, o: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'char', string, ...o });
const text = (name: string, string: string, o: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'text', string, ...o });
const sel = (name: string, string: string, selection: readonly (readonly [string, string])[], o: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'selection', string, selection, ...o });
const int = (name: string, string: string, o: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'integer', string, ...o });
const float = (name: string, string: string, o: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'float', string, ...o });
const money = (name: string, string: string, o: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'monetary', string, ...o });
const bool = (name: string, string: string, o: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'boolean', string, ...o });
const date = (name: string, string: string, o: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'date', string, ...o });
const datetime = (name: string, string: string, o: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'datetime', string, ...o });
const m2o = (name: string, string: string, relation: string, o: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'many2one', string, relation, ondelete: o.required ? 'restrict' : 'set null', ...o });
const json = (name: string, string: string, o: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'json', string, ...o });

export const MOVE_TYPES = [
  ['entry', 'Journal Entry'],
  ['out_invoice', 'Customer Invoice'],
  ['out_refund', 'Customer Credit Note'],
  ['in_invoice', 'Vendor Bill'],
  ['in_refund', 'Vendor Credit Note'],
  ['out_receipt', 'Sales Receipt'],
  ['in_receipt', 'Purchase Receipt'],
] as const;
export const MOVE_STATES = [['draft', 'Draft'], ['posted', 'Posted'], ['cancel', 'Cancelled']] as const;
export const PAYMENT_STATES = [['not_paid', 'Not Paid'], ['in_payment', 'In Payment'], ['paid', 'Paid'], ['partial', 'Partially Paid'], ['reversed', 'Reversed'], ['invoicing_legacy', 'Invoicing App Legacy']] as const;
export const ACCOUNT_TYPES = [
  ['asset_receivable', 'Receivable'], ['asset_cash', 'Bank and Cash'], ['asset_current', 'Current Assets'], ['asset_non_current', 'Non-current Assets'],
  ['asset_prepayments', 'Prepayments'], ['asset_fixed', 'Fixed Assets'], ['liability_payable', 'Payable'], ['liability_credit_card', 'Credit Card'],
  ['liability_current', 'Current Liabilities'], ['liability_non_current', 'Non-current Liabilities'], ['equity', 'Equity'], ['equity_unaffected', 'Current Year Earnings'],
  ['income', 'Income'], ['income_other', 'Other Income'], ['expense', 'Expenses'], ['expense_depreciation', 'Depreciation'], ['expense_direct_cost', 'Cost of Revenue'], ['off_balance', 'Off-Balance Sheet'],
] as const;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'].map((m, i) => [String(i + 1), m] as const);
export const JOURNAL_TYPES = [['sale', 'Sales'], ['purchase', 'Purchase'], ['cash', 'Cash'], ['bank', 'Bank'], ['general', 'Miscellaneous']] as const;
export const DISPLAY_TYPES = [['product', 'Product'], ['cogs', 'Cost of Goods Sold'], ['tax', 'Tax'], ['discount', 'Discount'], ['rounding', 'Rounding'], ['payment_term', 'Payment Term'], ['line_section', 'Section'], ['line_note', 'Note'], ['epd', 'Early Payment Discount']] as const;

const AUDIT: readonly FieldDef[] = [
  m2o('create_uid', 'Created by', 'res.users'),
  datetime('create_date', 'Created on'),
  m2o('write_uid', 'Last Updated by', 'res.users'),
  datetime('write_date', 'Last Updated on'),
];

function model(def: Omit<ModelDef, 'fields'> & { fields: FieldDef[] }): ModelDef {
  return { ...def, fields: [int('id', 'ID', { required: true }), ...def.fields, ...AUDIT] };
}

export const ODOO17_MODELS: readonly ModelDef[] = [
  model({
    model: 'res.currency', table: 'res_currency', description: 'Currency', order: 'active desc, name', displayName: 't.name',
    fields: [char('name', 'Currency', { size: 3, required: true }), char('full_name', 'Name'), char('symbol', 'Symbol', { required: true }), float('rounding', 'Rounding Factor', { digits: true }), int('decimal_places', 'Decimal Places'), bool('active', 'Active'), sel('position', 'Symbol Position', [['after', 'After Amount'], ['before', 'Before Amount']])],
    uniqueIndexes: [{ name: 'res_currency_unique_name', sql: '(name)' }],
  }),
  model({
    model: 'res.currency.rate', table: 'res_currency_rate', description: 'Currency Rate', order: 'name desc', displayName: 't.name::text',
    fields: [date('name', 'Date', { required: true, index: true }), float('rate', 'Technical Rate', { digits: true }), m2o('currency_id', 'Currency', 'res.currency', { required: true, ondelete: 'cascade' }), m2o('company_id', 'Company', 'res.company')],
    uniqueIndexes: [{ name: 'res_currency_rate_unique_name_per_day', sql: '(name, currency_id, company_id)' }],
  }),
  model({
    model: 'res.company', table: 'res_company', description: 'Companies', order: 'sequence, name', displayName: 't.name',
    fields: [
      char('name', 'Company Name', { required: true }), m2o('partner_id', 'Partner', 'res.partner', { required: true }), m2o('currency_id', 'Currency', 'res.currency', { required: true }),
      int('sequence', 'Sequence'), m2o('parent_id', 'Parent Company', 'res.company'), char('parent_path', 'Parent Path'), bool('active', 'Active'), char('email', 'Email'), char('phone', 'Phone'),
      int('fiscalyear_last_day', 'Fiscalyear Last Day', { required: true }), sel('fiscalyear_last_month', 'Fiscalyear Last Month', MONTHS, { required: true }),
      date('period_lock_date', 'Journals Entries Lock Date'), date('fiscalyear_lock_date', 'All Users Lock Date'), date('tax_lock_date', 'Tax Return Lock Date'),
      m2o('transfer_account_id', 'Inter-Banks Transfer Account', 'account.account'), char('bank_account_code_prefix', 'Prefix of the bank accounts'), char('cash_account_code_prefix', 'Prefix of the cash accounts'), char('transfer_account_code_prefix', 'Prefix of the transfer accounts'),
      m2o('account_journal_suspense_account_id', 'Journal Suspense Account', 'account.account'), m2o('account_journal_payment_debit_account_id', 'Journal Outstanding Receipts', 'account.account'), m2o('account_journal_payment_credit_account_id', 'Journal Outstanding Payments', 'account.account'),
      m2o('currency_exchange_journal_id', 'Exchange Gain or Loss Journal', 'account.journal'), m2o('income_currency_exchange_account_id', 'Gain Exchange Rate Account', 'account.account'), m2o('expense_currency_exchange_account_id', 'Loss Exchange Rate Account', 'account.account'),
      date('account_opening_date', 'Opening Entry', { required: true }),
    ],
  }),
  model({
    model: 'res.partner', table: 'res_partner', description: 'Contact', order: 'complete_name ASC, id DESC', displayName: 't.complete_name',
    fields: [
      char('name', 'Name', { index: true }), char('complete_name', 'Complete Name', { index: true }), char('ref', 'Reference', { index: true }), char('vat', 'Tax ID', { index: true }), char('email', 'Email'), char('phone', 'Phone'),
      bool('is_company', 'Is a Company'), sel('type', 'Address Type', [['contact', 'Contact'], ['invoice', 'Invoice Address'], ['delivery', 'Delivery Address'], ['other', 'Other Address']]),
      char('street', 'Street'), char('zip', 'Zip'), char('city', 'City'), m2o('company_id', 'Company', 'res.company', { index: true }), m2o('parent_id', 'Related Company', 'res.partner', { index: true }),
      m2o('commercial_partner_id', 'Commercial Entity', 'res.partner', { index: true }), int('customer_rank', 'Customer Rank'), int('supplier_rank', 'Supplier Rank'), bool('active', 'Active'),
    ],
  }),
  model({
    model: 'account.account', table: 'account_account', description: 'Account', order: 'code, company_id', displayName: "t.code || ' ' || (t.name->>'en_US')",
    fields: [
      char('name', 'Account Name', { required: true, translate: true, index: true }), char('code', 'Code', { size: 64, required: true, index: true }), sel('account_type', 'Type', ACCOUNT_TYPES, { required: true, index: true }),
      sel('internal_group', 'Internal Group', [['equity', 'Equity'], ['asset', 'Asset'], ['liability', 'Liability'], ['income', 'Income'], ['expense', 'Expense'], ['off_balance', 'Off Balance']]),
      bool('reconcile', 'Allow Reconciliation'), bool('deprecated', 'Deprecated'), bool('non_trade', 'Non Trade'), bool('include_initial_balance', 'Bring Accounts Balance Forward'),
      m2o('currency_id', 'Account Currency', 'res.currency'), m2o('company_id', 'Company', 'res.company', { required: true, index: true }), text('note', 'Internal Notes'),
    ],
    uniqueIndexes: [{ name: 'account_account_code_company_uniq', sql: '(code, company_id)' }],
  }),
  model({
    model: 'account.journal', table: 'account_journal', description: 'Journal', order: 'sequence, type, code', displayName: "t.name->>'en_US'",
    fields: [
      char('name', 'Journal Name', { required: true, translate: true }), char('code', 'Short Code', { size: 5, required: true }), bool('active', 'Active'), sel('type', 'Type', JOURNAL_TYPES, { required: true }),
      int('sequence', 'Sequence'), m2o('default_account_id', 'Default Account', 'account.account'), m2o('suspense_account_id', 'Suspense Account', 'account.account'),
      m2o('company_id', 'Company', 'res.company', { required: true, index: true }), m2o('currency_id', 'Currency', 'res.currency'), bool('refund_sequence', 'Dedicated Credit Note Sequence'), bool('payment_sequence', 'Dedicated Payment Sequence'), text('sequence_override_regex', 'Sequence Override Regex'),
    ],
    uniqueIndexes: [{ name: 'account_journal_code_company_uniq', sql: '(company_id, code)' }],
  }),
  model({
    model: 'account.tax', table: 'account_tax', description: 'Tax', order: 'sequence,id', displayName: "t.name->>'en_US'",
    fields: [
      char('name', 'Tax Name', { required: true, translate: true }), sel('type_tax_use', 'Tax Type', [['sale', 'Sales'], ['purchase', 'Purchases'], ['none', 'None']], { required: true }),
      sel('amount_type', 'Tax Computation', [['group', 'Group of Taxes'], ['fixed', 'Fixed'], ['percent', 'Percentage of Price'], ['division', 'Percentage of Price Tax Included']], { required: true }),
      float('amount', 'Amount', { digits: true, required: true }), bool('price_include', 'Included in Price'), bool('active', 'Active'), int('sequence', 'Sequence', { required: true }), m2o('company_id', 'Company', 'res.company', { required: true }),
    ],
  }),
  model({
    model: 'account.tax.repartition.line', table: 'account_tax_repartition_line', description: 'Tax Repartition Line', order: 'document_type, repartition_type, sequence, id', displayName: "t.repartition_type || ' ' || t.document_type",
    fields: [
      float('factor_percent', '%', { digits: true, required: true }), sel('repartition_type', 'Based On', [['base', 'Base'], ['tax', 'of tax']], { required: true }),
      sel('document_type', 'Related to', [['invoice', 'Invoice'], ['refund', 'Refund']], { required: true }), m2o('account_id', 'Account', 'account.account'),
      m2o('tax_id', 'Tax', 'account.tax', { ondelete: 'cascade', index: true }), m2o('company_id', 'Company', 'res.company'), int('sequence', 'Sequence'), bool('use_in_tax_closing', 'Tax Closing Entry'),
    ],
  }),
  model({
    model: 'account.move', table: 'account_move', description: 'Journal Entry', order: 'date desc, name desc, invoice_date desc, id desc',
    // _get_move_display_name(show_ref=True): "Draft Bill (* 12)", "INV/2025/00042 (PO 123)".
    displayName:
      "CASE WHEN t.state = 'draft' THEN (CASE t.move_type WHEN 'out_invoice' THEN 'Draft Invoice' WHEN 'out_refund' THEN 'Draft Credit Note' WHEN 'in_invoice' THEN 'Draft Bill' " +
      "WHEN 'in_refund' THEN 'Draft Vendor Credit Note' WHEN 'out_receipt' THEN 'Draft Sales Receipt' WHEN 'in_receipt' THEN 'Draft Purchase Receipt' ELSE 'Draft Entry' END) || ' ' ELSE '' END " +
      "|| CASE WHEN t.name IS NULL OR t.name = '/' THEN '(* ' || t.id || ')' ELSE t.name END || coalesce(' (' || left(t.ref, 50) || ')', '')",
    fields: [
      char('name', 'Number', { index: true }), char('ref', 'Reference', { index: true }), date('date', 'Date', { required: true, index: true }), sel('state', 'Status', MOVE_STATES, { required: true }),
      sel('move_type', 'Type', MOVE_TYPES, { required: true, index: true }), m2o('journal_id', 'Journal', 'account.journal', { required: true }), m2o('company_id', 'Company', 'res.company', { index: true }),
      m2o('currency_id', 'Currency', 'res.currency', { required: true }), m2o('partner_id', 'Partner', 'res.partner', { index: true, ondelete: 'restrict' }), m2o('commercial_partner_id', 'Commercial Entity', 'res.partner', { ondelete: 'restrict' }),
      date('invoice_date', 'Invoice/Bill Date', { index: true }), date('invoice_date_due', 'Due Date', { index: true }), char('payment_reference', 'Payment Reference'), char('invoice_origin', 'Origin'), { name: 'narration', type: 'html', string: 'Terms and Conditions' },
      money('amount_untaxed', 'Untaxed Amount'), money('amount_tax', 'Tax'), money('amount_total', 'Total'), money('amount_residual', 'Amount Due'),
      money('amount_untaxed_signed', 'Untaxed Amount Signed'), money('amount_tax_signed', 'Tax Signed'), money('amount_total_signed', 'Total Signed'), money('amount_total_in_currency_signed', 'Total in Currency Signed'), money('amount_residual_signed', 'Amount Due Signed'),
      sel('payment_state', 'Payment Status', PAYMENT_STATES), m2o('reversed_entry_id', 'Reversal of', 'account.move'), char('sequence_prefix', 'Sequence Prefix'), int('sequence_number', 'Sequence Number'),
      bool('posted_before', 'Posted Before'), bool('to_check', 'To Check'), m2o('statement_line_id', 'Statement Line', 'account.bank.statement.line'),
      sel('auto_post', 'Auto-post', [['no', 'No'], ['at_date', 'At Date'], ['monthly', 'Monthly'], ['quarterly', 'Quarterly'], ['yearly', 'Yearly']], { required: true }), bool('is_storno', 'Is Storno'), bool('always_tax_exigible', 'Always Tax Exigible'),
    ],
    uniqueIndexes: [{ name: 'account_move_unique_name', sql: "(name, journal_id) WHERE (state = 'posted' AND name != '/')" }],
  }),
  model({
    model: 'account.move.line', table: 'account_move_line', description: 'Journal Item', order: 'date desc, move_name desc, id', displayName: "coalesce(t.move_name, '') || coalesce(' - ' || t.name, '')",
    fields: [
      m2o('move_id', 'Journal Entry', 'account.move', { required: true, ondelete: 'cascade', index: true }), char('move_name', 'Number', { index: true }), date('date', 'Date'), char('ref', 'Reference'),
      sel('parent_state', 'Status', MOVE_STATES), m2o('journal_id', 'Journal', 'account.journal', { index: true }), m2o('company_id', 'Company', 'res.company', { index: true }), m2o('company_currency_id', 'Company Currency', 'res.currency'),
      // account_id and partner_id: covered by the composite indexes below (index=False in Odoo).
      m2o('account_id', 'Account', 'account.account', { ondelete: 'cascade' }), m2o('partner_id', 'Partner', 'res.partner', { ondelete: 'restrict' }), char('name', 'Label'),
      sel('display_type', 'Display Type', DISPLAY_TYPES, { required: true }), int('sequence', 'Sequence'),
      money('debit', 'Debit'), money('credit', 'Credit'), money('balance', 'Balance'), money('amount_currency', 'Amount in Currency'), m2o('currency_id', 'Currency', 'res.currency', { required: true }),
      money('amount_residual', 'Residual Amount'), money('amount_residual_currency', 'Residual Amount in Currency'), bool('reconciled', 'Reconciled'),
      m2o('full_reconcile_id', 'Matching', 'account.full.reconcile', { index: 'btree_not_null' }), char('matching_number', 'Matching #', { index: true }), date('date_maturity', 'Due Date', { index: true }),
      m2o('tax_line_id', 'Originator Tax', 'account.tax', { ondelete: 'restrict' }), money('tax_base_amount', 'Base Amount'), float('quantity', 'Quantity', { digits: true }), float('price_unit', 'Unit Price', { digits: true }),
      float('discount', 'Discount (%)', { digits: true }), money('price_subtotal', 'Subtotal'), money('price_total', 'Total'), json('analytic_distribution', 'Analytic Distribution'), bool('blocked', 'No Follow-up'),
      date('invoice_date', 'Invoice/Bill Date'), m2o('statement_line_id', 'Originator Statement Line', 'account.bank.statement.line', { index: 'btree_not_null' }),
    ],
    indexes: [
      { name: 'account_move_line_account_id_date_idx', sql: '(account_id, date)' },
      { name: 'account_move_line_date_name_id_idx', sql: '(date DESC, move_name DESC, id)' },
      { name: 'account_move_line_partner_id_ref_idx', sql: '(partner_id, ref)' },
      { name: 'account_move_line__unreconciled_index', sql: "(account_id, partner_id) WHERE (reconciled IS NOT TRUE AND parent_state = 'posted')" },
      { name: 'account_move_line_journal_id_neg_amnt_residual_idx', sql: "(journal_id) WHERE (amount_residual < 0 AND parent_state = 'posted')" },
    ],
    checks: [
      { name: 'check_credit_debit', sql: 'CHECK(credit + debit>=0 AND credit * debit=0)' },
      { name: 'check_accountable_required_fields', sql: "CHECK(COALESCE(display_type IN ('line_section', 'line_note'), 'f') OR account_id IS NOT NULL)" },
      { name: 'check_non_accountable_fields_null', sql: "CHECK(display_type NOT IN ('line_section', 'line_note') OR (amount_currency = 0 AND debit = 0 AND credit = 0 AND account_id IS NULL))" },
      {
        name: 'check_amount_currency_balance_sign',
        sql: 'CHECK(((currency_id != company_currency_id) AND ((debit - credit <= 0 AND amount_currency <= 0) OR (debit - credit >= 0 AND amount_currency >= 0))) OR (currency_id = company_currency_id AND ROUND(debit - credit - amount_currency, 2) = 0))',
      },
    ],
  }),
  model({
    model: 'account.partial.reconcile', table: 'account_partial_reconcile', description: 'Partial Reconcile', order: 'id', displayName: "'Partial ' || t.id",
    fields: [
      m2o('debit_move_id', 'Debit Move', 'account.move.line', { required: true, index: true, ondelete: 'cascade' }), m2o('credit_move_id', 'Credit Move', 'account.move.line', { required: true, index: true, ondelete: 'cascade' }),
      m2o('full_reconcile_id', 'Full Reconcile', 'account.full.reconcile', { index: true }), m2o('exchange_move_id', 'Exchange Move', 'account.move'),
      m2o('debit_currency_id', 'Currency of the debit journal item.', 'res.currency'), m2o('credit_currency_id', 'Currency of the credit journal item.', 'res.currency'),
      money('amount', 'Amount'), money('debit_amount_currency', 'Debit amount in currency'), money('credit_amount_currency', 'Credit amount in currency'), m2o('company_id', 'Company', 'res.company'), date('max_date', 'Max Date of Matched Lines'),
    ],
  }),
  model({
    model: 'account.full.reconcile', table: 'account_full_reconcile', description: 'Full Reconcile', order: 'id', displayName: 't.id::text',
    fields: [m2o('exchange_move_id', 'Exchange Move', 'account.move', { index: true })],
  }),
  model({
    model: 'account.bank.statement', table: 'account_bank_statement', description: 'Bank Statement', order: 'date desc, name desc, id desc', displayName: 't.name',
    fields: [
      char('name', 'Reference'), char('reference', 'External Reference'), date('date', 'Date', { index: true }), m2o('journal_id', 'Journal', 'account.journal', { index: true }), m2o('company_id', 'Company', 'res.company'),
      money('balance_start', 'Starting Balance'), money('balance_end_real', 'Ending Balance'), char('first_line_index', 'First Line Index'), bool('is_complete', 'Is Complete'),
    ],
  }),
  model({
    model: 'account.bank.statement.line', table: 'account_bank_statement_line', description: 'Bank Statement Line', order: 'id desc', displayName: 't.payment_ref',
    fields: [
      m2o('move_id', 'Journal Entry', 'account.move', { required: true, ondelete: 'cascade', index: true }), m2o('statement_id', 'Statement', 'account.bank.statement', { index: true, ondelete: 'cascade' }),
      int('sequence', 'Sequence', { index: true }), char('account_number', 'Bank Account Number'), char('partner_name', 'Partner Name'), char('transaction_type', 'Transaction Type'), char('payment_ref', 'Label'),
      money('amount', 'Amount'), money('amount_currency', 'Amount in Currency'), m2o('foreign_currency_id', 'Foreign Currency', 'res.currency'), float('amount_residual', 'Residual Amount'),
      m2o('currency_id', 'Journal Currency', 'res.currency'), m2o('partner_id', 'Partner', 'res.partner', { ondelete: 'restrict' }), bool('is_reconciled', 'Is Reconciled'),
    ],
  }),
  model({
    model: 'ir.model.fields', table: 'ir_model_fields', description: 'Fields', order: 'id', displayName: 't.name',
    fields: [char('name', 'Field Name', { required: true, index: true }), char('model', 'Model Name', { required: true, index: true }), sel('ttype', 'Field Type', [['date', 'date'], ['char', 'char'], ['many2one', 'many2one']], { required: true }), char('field_description', 'Field Label', { required: true, translate: true }), char('relation', 'Related Model'), bool('store', 'Stored')],
  }),
  model({
    model: 'mail.message', table: 'mail_message', description: 'Message', order: 'id desc', displayName: "coalesce(t.record_name, '')",
    fields: [
      char('model', 'Related Document Model', { index: true }), int('res_id', 'Related Document ID', { index: true }), char('record_name', 'Message Record Name'),
      sel('message_type', 'Type', [['email', 'Incoming Email'], ['comment', 'Comment'], ['notification', 'System notification'], ['auto_comment', 'Automated Targeted Notification'], ['user_notification', 'User Specific Notification']], { required: true }),
      { name: 'body', type: 'html', string: 'Contents' }, datetime('date', 'Date'), m2o('author_id', 'Author', 'res.partner', { index: true }),
    ],
  }),
  model({
    model: 'mail.tracking.value', table: 'mail_tracking_value', description: 'Mail Tracking Value', order: 'id DESC', displayName: 't.id::text',
    fields: [
      m2o('field_id', 'Field', 'ir.model.fields', { index: true }), json('field_info', 'Removed field information'),
      int('old_value_integer', 'Old Value Integer'), float('old_value_float', 'Old Value Float'), char('old_value_char', 'Old Value Char'), text('old_value_text', 'Old Value Text'), datetime('old_value_datetime', 'Old Value DateTime'),
      int('new_value_integer', 'New Value Integer'), float('new_value_float', 'New Value Float'), char('new_value_char', 'New Value Char'), text('new_value_text', 'New Value Text'), datetime('new_value_datetime', 'New Value Datetime'),
      m2o('currency_id', 'Currency', 'res.currency'), m2o('mail_message_id', 'Message ID', 'mail.message', { required: true, index: true, ondelete: 'cascade' }),
    ],
  }),
];

/** Many2many tables (no model of their own): Odoo names them `<table1>_<table2>_rel`. */
export const ODOO17_RELATIONS = [
  { table: 'account_move_line_account_tax_rel', column1: 'account_move_line_id', relation1: 'account.move.line', column2: 'account_tax_id', relation2: 'account.tax' },
] as const;

const BY_MODEL = new Map(ODOO17_MODELS.map((m) => [m.model, m]));
const BY_TABLE = new Map(ODOO17_MODELS.map((m) => [m.table, m]));

export function modelDef(name: string): ModelDef | undefined {
  return BY_MODEL.get(name);
}

export function tableDef(table: string): ModelDef {
  const m = BY_TABLE.get(table);
  if (!m) throw new Error(`no model for table ${table}`);
  return m;
}

/** The SQL type Odoo 17's fields.py gives a stored field. */
export function sqlType(f: FieldDef): string {
  if (f.translate && (f.type === 'char' || f.type === 'text' || f.type === 'html')) return 'jsonb';
  switch (f.type) {
    case 'char':
      return f.size ? `varchar(${f.size})` : 'varchar';
    case 'selection':
      return 'varchar';
    case 'text':
    case 'html':
      return 'text';
    case 'integer':
    case 'many2one':
      return 'int4';
    case 'float':
      return f.digits ? 'numeric' : 'float8';
    case 'monetary':
      return 'numeric';
    case 'boolean':
      return 'bool';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamp';
    case 'json':
      return 'jsonb';
  }
}

/** Column names of a table, in declaration order (the order COPY rows use). */
export function columnsOf(table: string): string[] {
  return tableDef(table).fields.map((f) => f.name);
}

/** The classes of personal data the catalog suggests tags for, and those tags. */
export type PiiClass = 'email' | 'phone' | 'iban' | 'tax_id' | 'person_name' | 'card_number';
export type PiiTag = `pii:${PiiClass}`;

/** Every class, in a fixed order (also the tie-break order of suggestions). */
export const PII_CLASSES: readonly PiiClass[] = Object.freeze(['email', 'phone', 'iban', 'tax_id', 'person_name', 'card_number'] as const);

export const PII_TAGS: readonly PiiTag[] = Object.freeze(PII_CLASSES.map((c): PiiTag => `pii:${c}`));

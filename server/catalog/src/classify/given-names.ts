/**
 * Common given names (lower case, accents removed), European first, then
 * others common in an EU shared-services customer and supplier base. A hit
 * on the first word is strong evidence that a value is a person's name; a
 * miss proves nothing, so the list only ever raises confidence.
 */
const NAMES = `
jean pierre marie michel philippe alain nicolas francois isabelle nathalie sophie camille julien thomas antoine
laurent sylvie catherine christine claire julie emma louis lucas hugo lea chloe manon ines amelie aurelie celine
valerie sandrine stephane olivier sebastien vincent benoit guillaume mathieu jerome patrick bernard jacques henri
yves andre rene gerard christophe frederic cedric emilie helene elodie pauline margaux charlotte marc
hans peter klaus wolfgang jurgen uwe andreas stefan michael markus tobias lukas jonas felix maximilian anna anja
katrin sabine ursula monika petra claudia birgit heike julia lena laura sarah johanna friedrich heinrich karl
dieter gunter helmut
jan pieter johannes willem hendrik joris bram daan sem ruben sanne eva femke lotte anouk els joost wouter koen
bart sven dirk
giuseppe giovanni antonio mario luigi francesco alessandro andrea marco matteo lorenzo paolo roberto stefano
giulia francesca chiara sara valentina alessia federica elena giorgia martina silvia simona
jose juan carlos javier miguel manuel francisco david daniel pablo alejandro sergio jorge luis pedro joao rafael
diego fernando carmen lucia maria ana isabel marta cristina paula rosa beatriz joana mariana raquel
john james robert william richard charles joseph george edward henry mark paul steven kevin brian jason matthew
andrew christopher ryan adam oliver jack harry emily jessica jennifer elizabeth mary patricia linda barbara susan
margaret karen nancy lisa olivia amelia sophia grace hannah rachel rebecca helen alice kate katherine nicole
michelle mitchell brandon colleen douglas oscar tom jeff travis gordon ron billy joel theodore kim lorraine
jesse edwin floyd addison chester
lars anders erik nils olaf bjorn ingrid astrid sigrid karin kristina mikko jukka matti johan magnus henrik
piotr krzysztof tomasz pawel marek agnieszka katarzyna malgorzata magdalena jana petr jiri pavel tomas lucie
zuzana istvan laszlo gabor zsofia andrei mihai ion ioana dimitrios georgios nikos ivan dmitri sergei olga
natalia tatiana
mohamed mohammed ahmed ali omar youssef fatima aicha karim mehmet mustafa ayse fatma emre yusuf hassan leila
amina samir nadia rachid
raj priya arjun amit
`;

export const GIVEN_NAMES: ReadonlySet<string> = new Set(NAMES.split(/\s+/).filter((n) => n !== ''));

/** Lower case without diacritics, for looking a word up in GIVEN_NAMES. */
export function foldName(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function isGivenName(word: string): boolean {
  const folded = foldName(word);
  // "Jean-Pierre", "Anne-Marie": the first part decides.
  return GIVEN_NAMES.has(folded) || GIVEN_NAMES.has(folded.split('-')[0]!);
}

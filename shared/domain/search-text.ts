/**
 * Text as search compares it: lower case, without accents or ligatures (« Hélène Lœuvre » → « helene loeuvre »),
 * spaces collapsed. The store keeps the folded fields beside the document, so that a search is a plain
 * CONTAINS on an indexed string, the same on Cosmos DB and on the embedded endpoint (which has no
 * case-insensitive CONTAINS).
 */
export function foldText(text: string): string {
  return text
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'OE')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** The words of a search, folded: each must be found (« martin camille » finds « Camille Martin »). */
export function searchTerms(q: string): string[] {
  return [...new Set(foldText(q).split(' ').filter(Boolean))];
}

/** Between the fields of the stored search text: no search term holds it, so no match spans two fields. */
export const SEARCH_FIELD_SEPARATOR = '\u001f';

/** The folded text a search looks in: display name, upn and employee id. */
export function searchTextOf(o: { displayName: string; userPrincipalName: string; employeeId: string }): string {
  return [o.displayName, o.userPrincipalName, o.employeeId].map(foldText).join(SEARCH_FIELD_SEPARATOR);
}

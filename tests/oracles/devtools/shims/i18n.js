// Stand-in for front_end/core/i18n/i18n.js (leakhound oracle shim).
// The real module imports a generated locales.js that the npm package lacks.
// The heap snapshot worker only calls i18n.i18n.serializeUIString (progress
// messages); that one is kept verbatim, the others are trivial.
function serializeUIString(string, values = {}) {
  return JSON.stringify({string, values});
}
function registerUIStrings(_path, strings) {
  return {strings};
}
function getLocalizedString(registered, id, _values) {
  return registered?.strings?.[id] ?? id;
}
function getLazilyComputedLocalizedString(registered, id, values) {
  return () => getLocalizedString(registered, id, values);
}
function lockedString(s) {
  return s;
}
export const i18n = {
  serializeUIString,
  registerUIStrings,
  getLocalizedString,
  getLazilyComputedLocalizedString,
  lockedString,
  lockedLazyString: s => () => s,
};

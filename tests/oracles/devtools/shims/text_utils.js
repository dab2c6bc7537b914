// Stand-in for front_end/core/text_utils/text_utils.js (leakhound oracle shim):
// the loader only needs TextUtils.BalancedJSONTokenizer; the full module pulls
// in CodeMirror. FRONT_END is an alias set by build.mjs.
import * as TextUtils from 'FRONT_END/core/text_utils/TextUtils.js';
export {TextUtils};

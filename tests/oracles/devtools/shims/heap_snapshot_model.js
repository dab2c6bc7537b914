// Stand-in for front_end/models/heap_snapshot/heap_snapshot.js (leakhound
// oracle shim): the worker only needs HeapSnapshotModel; the real module also
// exports the UI-side HeapSnapshotProxy, which pulls in core/common.
import * as HeapSnapshotModel from 'FRONT_END/models/heap_snapshot/HeapSnapshotModel.js';
export {HeapSnapshotModel};

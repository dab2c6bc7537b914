// Bundle entry (leakhound oracle): exposes DevTools' heap snapshot worker
// classes to dump.mjs. Everything imported here is DevTools' own code.
import * as HeapSnapshot from 'FRONT_END/entrypoints/heap_snapshot_worker/HeapSnapshot.js';
import * as HeapSnapshotLoader from 'FRONT_END/entrypoints/heap_snapshot_worker/HeapSnapshotLoader.js';
import * as HeapSnapshotModel from 'FRONT_END/models/heap_snapshot/HeapSnapshotModel.js';

export {HeapSnapshot, HeapSnapshotLoader, HeapSnapshotModel};

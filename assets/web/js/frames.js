// Scheduling live work: the newest job runs once per animation frame, at most one at a time.
import { DRAWING_EVENT } from "./pad.js";

// A function that queues `job` for `work`: a job arriving while one runs replaces any waiting one, so a fast
// pointer never queues stale frames; `onError` gets what a run throws.
export function latestPerFrame(work, onError) {
  let busy = false, wanted = null;
  return (job) => {
    wanted = job;
    if (busy) return;
    busy = true;
    requestAnimationFrame(async () => {
      while (wanted) {
        const next = wanted;
        wanted = null;
        try { await work(next); } catch (e) { onError(e); }
      }
      busy = false;
    });
  };
}

// Follow the pad named `pad` (its drawing, once per frame while it changes) with `schedule({pixels, at})`,
// replacing what `root` followed before; `ask` requests the pad's current drawing at once.
export function followPad(root, pad, schedule, ask) {
  if (root.padListener) window.removeEventListener(DRAWING_EVENT, root.padListener);
  root.padListener = null;
  if (!pad) return;
  root.padListener = (e) => { if (e.detail.pad === pad) schedule({ pixels: e.detail.pixels, at: e.detail.at }); };
  window.addEventListener(DRAWING_EVENT, root.padListener);
  if (ask) window.dispatchEvent(new CustomEvent(DRAWING_EVENT + "?", { detail: { pad } }));
}

// Scheduling live work: the newest job runs once per animation frame, at most one at a time.
import { DRAWING_EVENT } from "./pad.js";

// Background views (the look inside) run at most once per BACKGROUND_MS, and only when no foreground job is in
// flight: they share the one model worker, and the reconstructions under the pen come first.
const BACKGROUND_MS = 33;
let inFlight = 0;  // foreground jobs running now
const idleWaiters = [];
const idle = () => (inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve)));
function release() {
  inFlight -= 1;
  if (inFlight === 0) idleWaiters.splice(0).forEach((resolve) => resolve());
}

const HALF_FRAME_MS = 8;  // a job this soon after the last one started belongs to the same frame
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

// A function that queues `job` for `work`: a job arriving while one runs replaces any waiting one, so a fast
// pointer never queues stale frames; `onError` gets what a run throws. An idle scheduler starts a job at once
// (the pad already sends at most one drawing per animation frame: waiting for another frame would add one);
// a job that arrived during a run shorter than a frame waits for the next frame, so runs stay about one per
// frame. `background`: see BACKGROUND_MS.
export function latestPerFrame(work, onError, { background = false } = {}) {
  let busy = false, wanted = null, last = -Infinity;
  async function drain() {
    await Promise.resolve();  // jobs queued in the same task: only the newest runs
    while (wanted) {
      if (background) {
        const wait = last + BACKGROUND_MS - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        await idle();
      } else if (performance.now() - last < HALF_FRAME_MS) await nextFrame();
      const next = wanted;
      wanted = null;
      last = performance.now();
      if (!background) inFlight += 1;
      try { await work(next); } catch (e) { onError(e); } finally { if (!background) release(); }
    }
    busy = false;
  }
  return (job) => {
    wanted = job;
    if (busy) return;
    busy = true;
    drain();
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

// Autoencoder Lab drawing pad: white ink on black. It sends the drawing (a PNG data URL) the moment a stroke
// ends, and tells `pad.onframe` about the drawing once per animation frame while the pen moves (live views).
// Streamlit may call a component's function again on a rerun (even in the middle of a stroke), so all drawing
// state lives on the pad element and its event handlers are installed once. Strokes are kept in [0, 1]
// coordinates so the pad can be resized (presenter mode) without losing them.
export const SENT_PX = 128;

// Every pad announces its drawing on this window event, once per animation frame while it changes, so live
// views elsewhere on the page (each its own component) can follow it: detail {pad: key, pixels: ImageData|null,
// at: time of the newest pointer event in it}.
export const DRAWING_EVENT = "ae-lab:drawing";

// The pad in `parent` (created once): `size` CSS px, `label` for screen readers, `send(key, value)` for Streamlit,
// `key` naming it on the drawing event.
export function mountPad(parent, { size, label, send, key }) {
  size = Math.max(64, Math.round(size || 280));
  let pad = parent.querySelector(".ae-pad");
  if (!pad) {
    pad = document.createElement("div");
    pad.className = "ae-pad";
    pad.innerHTML =
      '<canvas class="ae-canvas" data-testid="ae-canvas" role="img" tabindex="0"></canvas>' +
      '<div class="ae-tools">' +
      '<button type="button" class="ae-undo" disabled>Undo</button>' +
      '<button type="button" class="ae-clear" disabled>Clear</button>' +
      "</div>";
    parent.appendChild(pad);
    install(pad);
  }
  pad.send = send;  // the latest one Streamlit handed us
  pad.key = key || "pad";
  pad.label = label || "Drawing pad";
  pad.describe();
  if (pad.querySelector("canvas").width !== size) pad.resize(size);
  return pad;
}

function install(pad) {
  const canvas = pad.querySelector("canvas");
  const undo = pad.querySelector(".ae-undo");
  const clear = pad.querySelector(".ae-clear");
  const ctx = canvas.getContext("2d");
  const width = () => Math.max(8, Math.round(canvas.width / 16));
  let strokes = [], current = null, pointer = null, drawn = 0, frame = 0;

  function segment(points, from) {  // the polyline points[from - 1 ..] (a dot if it is one point)
    const s = canvas.width;
    ctx.strokeStyle = ctx.fillStyle = "#fff";
    ctx.lineWidth = width();
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    if (points.length === 1) {
      ctx.arc(points[0][0] * s, points[0][1] * s, width() / 2, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    const start = Math.max(1, from);
    ctx.moveTo(points[start - 1][0] * s, points[start - 1][1] * s);
    for (let i = start; i < points.length; i++) ctx.lineTo(points[i][0] * s, points[i][1] * s);
    ctx.stroke();
  }

  // Accessibility: the canvas is focusable and named with what to do and its state; Undo and Clear say what
  // they act on. Free-hand drawing needs a pointer; Backspace (or Ctrl+Z) undoes and Escape clears from the
  // keyboard, and the pages offer "Test digit" to choose a digit without drawing.
  pad.describe = () => {
    const n = strokes.length;
    canvas.setAttribute("aria-label", n === 0
      ? `${pad.label || "Drawing pad"}, empty: draw a digit (0-9) with a mouse, pen or finger`
      : `${pad.label || "Drawing pad"} with ${n} stroke${n === 1 ? "" : "s"}: Backspace undoes, Escape clears`);
    undo.setAttribute("aria-label", n ? `Undo the last stroke (${n} drawn)` : "Undo (nothing drawn)");
    clear.setAttribute("aria-label", n ? "Clear the drawing pad" : "Clear (nothing drawn)");
  };
  canvas.addEventListener("keydown", (e) => {
    if (!strokes.length || current) return;
    if (e.key === "Backspace" || (e.key === "z" && (e.ctrlKey || e.metaKey))) { e.preventDefault(); undo.click(); }
    else if (e.key === "Escape") { e.preventDefault(); clear.click(); }
  });

  function repaint() {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (const s of strokes) segment(s, 1);
    undo.disabled = clear.disabled = strokes.length === 0;
    pad.describe();
  }

  // What is sent: the drawing scaled to 128x128 (the size of NIST's original digits, from which MNIST's 20x20
  // glyphs were made). Whatever the pad's size on screen, the server decodes and preprocesses a small image.
  const sent = document.createElement("canvas");
  sent.width = sent.height = SENT_PX;
  // read back every frame while drawing: keep it in CPU memory rather than a GPU texture read back each time
  const sentCtx = sent.getContext("2d", { willReadFrequently: true });
  sentCtx.imageSmoothingEnabled = true;
  sentCtx.imageSmoothingQuality = "high";

  // The drawing as the server receives it: 128x128 RGBA pixels (null while blank), for live views.
  pad.snapshot = () => {
    if (!strokes.length) return null;
    sentCtx.fillStyle = "#000";
    sentCtx.fillRect(0, 0, SENT_PX, SENT_PX);
    sentCtx.drawImage(canvas, 0, 0, SENT_PX, SENT_PX);
    return sentCtx.getImageData(0, 0, SENT_PX, SENT_PX);
  };
  pad.hasDrawing = () => strokes.length > 0;
  let lastInput = 0;
  const changed = () => {
    window.dispatchEvent(new CustomEvent(DRAWING_EVENT, { detail: { pad: pad.key, pixels: pad.snapshot(), at: lastInput } }));
  };
  // A live view that mounts after the pad asks for the current drawing with this event.
  window.addEventListener(DRAWING_EVENT + "?", (e) => { if (!e.detail || e.detail.pad === pad.key) changed(); });

  function send() {
    changed();
    if (!strokes.length) { pad.send("image", null); return; }
    sentCtx.drawImage(canvas, 0, 0, SENT_PX, SENT_PX);
    pad.send("image", sent.toDataURL("image/png"));
  }

  function flush() {  // draw only what is new since the last frame (a full repaint per move is slow)
    frame = 0;
    if (current && current.length > drawn) { segment(current, Math.max(1, drawn)); drawn = current.length; }
    changed();
  }

  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    return [Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)),
            Math.min(1, Math.max(0, (e.clientY - r.top) / r.height))];
  };

  pad.resize = (size) => {
    canvas.width = canvas.height = size;
    pad.style.width = size + "px";  // shrinks (CSS max-width) in a narrower column; point() follows the box
    repaint();
    drawn = 0;
  };

  canvas.onpointerdown = (e) => {
    if (e.button !== 0 || current) return;  // one stroke at a time: a second finger is ignored
    e.preventDefault();
    lastInput = e.timeStamp;
    canvas.setPointerCapture(e.pointerId);
    pointer = e.pointerId;
    current = [point(e)];
    drawn = 0;
    strokes.push(current);
    flush();
    undo.disabled = clear.disabled = false;
  };
  canvas.onpointermove = (e) => {
    if (!current || e.pointerId !== pointer) return;
    lastInput = e.timeStamp;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    for (const ev of (events.length ? events : [e])) current.push(point(ev));
    if (!frame) frame = requestAnimationFrame(flush);
  };
  canvas.onpointerup = canvas.onpointercancel = (e) => {
    if (!current || e.pointerId !== pointer) return;
    current.push(point(e));
    if (frame) cancelAnimationFrame(frame);
    flush();
    current = null;
    pad.describe();
    send();
  };
  undo.onclick = () => { strokes.pop(); repaint(); send(); };
  clear.onclick = () => { strokes = []; repaint(); send(); };
}

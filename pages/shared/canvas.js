// Autoencoder Lab drawing pad: white ink on black, sent to Python the moment a stroke ends.
// Strokes are kept in [0, 1] coordinates so the pad can be resized (presenter mode) without losing them.
export default function (component) {
  const { parentElement, data, setStateValue } = component;
  const size = Math.max(64, Math.round((data && data.size) || 280));
  const label = (data && data.label) || "Drawing pad";

  let pad = parentElement.querySelector(".ae-pad");
  if (!pad) {
    pad = document.createElement("div");
    pad.className = "ae-pad";
    pad.innerHTML =
      '<canvas class="ae-canvas" data-testid="ae-canvas" role="img"></canvas>' +
      '<div class="ae-tools">' +
      '<button type="button" class="ae-undo" disabled>Undo</button>' +
      '<button type="button" class="ae-clear" disabled>Clear</button>' +
      "</div>";
    parentElement.appendChild(pad);
    pad.strokes = [];
  }
  const canvas = pad.querySelector("canvas");
  const undo = pad.querySelector(".ae-undo");
  const clear = pad.querySelector(".ae-clear");
  canvas.setAttribute("aria-label", label);
  const ctx = canvas.getContext("2d");

  const width = () => Math.max(8, Math.round(canvas.width / 16));

  function paint(stroke) {
    const s = canvas.width;
    const pts = stroke.map(([x, y]) => [x * s, y * s]);
    ctx.strokeStyle = "#fff";
    ctx.fillStyle = "#fff";
    ctx.lineWidth = width();
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    if (pts.length === 1) {
      ctx.beginPath();
      ctx.arc(pts[0][0], pts[0][1], width() / 2, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    ctx.beginPath();
    ctx.moveTo(pts[0][0], pts[0][1]);
    for (let i = 1; i < pts.length - 1; i++) {  // smooth: curves through the midpoints
      const mx = (pts[i][0] + pts[i + 1][0]) / 2, my = (pts[i][1] + pts[i + 1][1]) / 2;
      ctx.quadraticCurveTo(pts[i][0], pts[i][1], mx, my);
    }
    const last = pts[pts.length - 1];
    ctx.lineTo(last[0], last[1]);
    ctx.stroke();
  }

  function repaint() {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (const s of pad.strokes) paint(s);
    undo.disabled = clear.disabled = pad.strokes.length === 0;
  }

  function send() {
    setStateValue("image", pad.strokes.length ? canvas.toDataURL("image/png") : null);
  }

  if (canvas.width !== size) {
    canvas.width = canvas.height = size;
    canvas.style.width = canvas.style.height = size + "px";
    pad.style.width = size + "px";
    repaint();
  }

  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    return [Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)),
            Math.min(1, Math.max(0, (e.clientY - r.top) / r.height))];
  };
  let current = null;

  canvas.onpointerdown = (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    current = [point(e)];
    pad.strokes.push(current);
    repaint();
  };
  canvas.onpointermove = (e) => {
    if (!current) return;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    for (const ev of (events.length ? events : [e])) current.push(point(ev));
    repaint();
  };
  canvas.onpointerup = canvas.onpointercancel = () => {
    if (!current) return;
    current = null;
    send();
  };
  undo.onclick = () => { pad.strokes.pop(); repaint(); send(); };
  clear.onclick = () => { pad.strokes = []; repaint(); send(); };
}

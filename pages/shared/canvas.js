// The plain drawing pad component: the pad of assets/web/js/pad.js, sending its drawing to Python on pen-up.
export default async function (component) {
  const { mountPad } = await import(window.location.origin + "/app/static/web/js/pad.js");
  const { parentElement, data, setStateValue } = component;
  mountPad(parentElement, { size: data && data.size, label: data && data.label, send: setStateValue, key: data && data.key });
  // the live views that follow a pad run in the browser: start their runtime now, not when the first one mounts
  import(window.location.origin + "/app/static/web/js/runtime.js").then((m) => m.warm(), () => {});
}

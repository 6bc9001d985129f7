// A stand-in for VS Code's `acquireVsCodeApi` in the standalone harness: records posted messages and state.
window.__posted = [];
window.__state = undefined;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => { window.__posted.push(m); },
  getState: () => window.__state,
  setState: (s) => { window.__state = s; },
});

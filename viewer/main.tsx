/**
 * The viewer page's entry: read the payload `fltsim view` embedded (JSON data blocks, never
 * executed) and render the app. Everything the page shows is computed in the browser by the same
 * library code the CLI runs (src/viewer, src/travel, src/projection, src/trace).
 */
import { render } from 'preact';
import { embeddedPayload } from '../src/viewer/payload.js';
import { openingPosition } from '../src/viewer/viewerModel.js';
import { App } from './App.js';
import './viewer.css';

const root = document.getElementById('app')!;
// The facts' blocks are decoded as the viewer reaches them, and dropped from the page once decoded.
const payload = embeddedPayload(
  (id) => document.getElementById(id)?.textContent ?? null,
  (id) => document.getElementById(id)?.remove(),
);
if (payload === null) root.textContent = 'fltsim view: this page holds no trace.';
else {
  // The first picture needs the facts up to where the page opens, and no more.
  await payload.main.lazy?.decodeTo(openingPosition(payload.main));
  render(<App payload={payload} />, root);
}

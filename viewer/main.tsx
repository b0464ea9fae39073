/**
 * The viewer page's entry: read the payload `fltsim view` embedded (a JSON data block, never
 * executed) and render the app. Everything the page shows is computed in the browser by the same
 * library code the CLI runs (src/viewer, src/travel, src/projection, src/trace).
 */
import { render } from 'preact';
import { PAYLOAD_ELEMENT_ID, type ViewerPayload } from '../src/viewer/payload.js';
import { App } from './App.js';
import './viewer.css';

const block = document.getElementById(PAYLOAD_ELEMENT_ID);
const root = document.getElementById('app')!;
if (block === null || block.textContent === null) {
  root.textContent = 'fltsim view: this page holds no trace.';
} else {
  const payload = JSON.parse(block.textContent) as ViewerPayload;
  render(<App payload={payload} />, root);
}

// The page's entry: run the scenarios and leave the result where the test reads it.
import { runScenarios } from './scenarios.mjs';

try {
  window.fltsimResult = { log: runScenarios() };
} catch (error) {
  window.fltsimResult = { error: String(error && error.stack ? error.stack : error) };
}
document.title = 'fltsim: done';

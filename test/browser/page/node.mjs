// The same scenarios under plain Node, importing the built package by its name (package self-reference).
import { runScenarios } from './scenarios.mjs';

process.stdout.write(runScenarios());

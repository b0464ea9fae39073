// The get-then-set race of a stream context (§15.4) with the deep budget: the exhaustive search
// under one preemption covers its bound.
import './contextRace.test.js';

/**
 * FLT_ASSERT(condition, expression): fltKernel.h's assertion (NT_ASSERT on a checked build). A
 * failed assertion is the verifier finding FLT_ASSERT, not the CRASH of an ordinary exception: the
 * Filter Manager names where the filter was (FilterManager.invoke: the callback, its instance and
 * operation) and the kernel the thread (Kernel.asFinding) when no callback frame catches it first.
 * The C macro takes only the expression; `expression` is its text, which the macro stringizes.
 * A free build compiles the assertions out: a port that models one does not call this.
 */
import { booleanArgument, stringArgument } from './arguments.js';
import { VerifierError } from './errors.js';

export function FLT_ASSERT(condition: boolean, expression: string): void {
  booleanArgument('FLT_ASSERT', 'condition', condition);
  stringArgument('FLT_ASSERT', 'expression', expression);
  // No place yet: whoever catches it first on its way out of the filter's code logs it with one.
  if (!condition) throw new VerifierError('FLT_ASSERT', `FLT_ASSERT(${expression}) failed`, {});
}

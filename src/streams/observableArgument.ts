/** The one argument check of the stream factories (issue 14): their inputs are Observables. */
import { isObservable, type Observable } from 'rxjs';
import { badArgument, kindOf } from '../kernel/arguments.js';

export function observableArgument<T>(routine: string, name: string, value: unknown): Observable<T> {
  if (isObservable(value)) return value as Observable<T>;
  throw badArgument(routine, `${name} is ${kindOf(value)}, not an Observable`);
}

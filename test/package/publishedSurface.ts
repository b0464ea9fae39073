// What a user of the main entry can reach through the shipped declarations (issue 18 item 6):
// every type reachable from dist/index.d.ts's exports, walked with the TypeScript checker.
import ts from 'typescript';

export interface Reached {
  /** `Type.member` for every property reachable from the exports. */
  readonly members: readonly string[];
  /** `Type.member` whose declared type comes from xstate (an actor, a machine, a snapshot). */
  readonly xstate: readonly string[];
}

export function reachableMembers(entry: string): Reached {
  // The standard library without the DOM (target ES2022 alone brings lib.dom.d.ts, the largest file
  // here), as a Node consumer has it. Whether the declarations type-check is pack.test.ts's question
  // (TypeScript 7 on a consumer of the installed package, skipLibCheck off): the walk asks for types,
  // not for diagnostics.
  const options = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], strict: true, noEmit: true, types: [] };
  const program = ts.createProgram([entry], options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry)!;
  const moduleSymbol = checker.getSymbolAtLocation(source)!;
  const seen = new Set<ts.Type>();
  const members = new Set<string>();
  const xstate = new Set<string>();
  const fromXstate = (type: ts.Type): boolean =>
    (type.aliasSymbol ?? type.getSymbol())?.getDeclarations()?.some((d) => /node_modules[\\/]xstate[\\/]/.test(d.getSourceFile().fileName)) ?? false;
  const fromFltsim = (symbol: ts.Symbol | undefined): boolean =>
    symbol?.getDeclarations()?.some((d) => !d.getSourceFile().fileName.includes('node_modules') || /node_modules[\\/]fltsim[\\/]/.test(d.getSourceFile().fileName)) ?? false;

  const visit = (type: ts.Type, depth: number): void => {
    if (seen.has(type) || depth > 40) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) return type.types.forEach((t) => visit(t, depth + 1));
    for (const arg of checker.getTypeArguments(type as ts.TypeReference) ?? []) visit(arg, depth + 1);
    // A constructor's parameters are the simulation's business (it builds kernel objects with its
    // Filter Manager); what a user holds is the instance it returns.
    for (const sig of type.getConstructSignatures()) visit(sig.getReturnType(), depth + 1);
    for (const sig of type.getCallSignatures()) {
      for (const p of sig.getParameters()) visit(checker.getTypeOfSymbol(p), depth + 1);
      visit(sig.getReturnType(), depth + 1);
    }
    const symbol = type.aliasSymbol ?? type.getSymbol();
    // Types of the dependencies (RxJS, immer, the standard library) are theirs, not fltsim's surface.
    if (!fromFltsim(symbol) && !(type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Anonymous)) return;
    const owner = symbol?.getName() ?? '(anonymous)';
    for (const property of type.getProperties()) {
      const declarations = property.getDeclarations() ?? [];
      if (declarations.length > 0 && declarations.every((d) => ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected))) continue;
      if (property.getName().startsWith('#')) continue;
      const propertyType = checker.getTypeOfSymbol(property);
      members.add(`${owner}.${property.getName()}`);
      if (fromXstate(propertyType)) xstate.add(`${owner}.${property.getName()}`);
      visit(propertyType, depth + 1);
    }
  };
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (symbol.flags & (ts.SymbolFlags.Value)) visit(checker.getTypeOfSymbol(symbol), 0);
    if (symbol.flags & (ts.SymbolFlags.Type)) visit(checker.getDeclaredTypeOfSymbol(symbol), 0);
  }
  return { members: [...members].sort(), xstate: [...xstate].sort() };
}

// The page's stylesheet is a side-effect import that vite bundles (viewer/main.tsx). TypeScript 7
// checks side-effect imports by default (noUncheckedSideEffectImports) and knows no .css module.
declare module '*.css';

// Vite's `?raw` imports (used by the masking tests to load trace fixtures as text).
declare module '*?raw' {
  const text: string;
  export default text;
}

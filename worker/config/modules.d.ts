// The YAML configuration, bundled as text (wrangler.toml: rules + alias).
declare module 'tracegate-config' {
  const text: string;
  export default text;
}

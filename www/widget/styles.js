// The shadow root's style sheet. Hosts theme it with the custom properties below (documented in
// docs/widget.md) and reach its pieces with ::part().

export const STYLES = `
:host {
  --_accent: var(--smart-tags-accent, #1d4ed8);
  --_accent-fg: var(--smart-tags-accent-contrast, #ffffff);
  --_radius: var(--smart-tags-radius, 8px);
  --_font: var(--smart-tags-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  --_bg: var(--smart-tags-background, #ffffff);
  --_fg: var(--smart-tags-text, #1f2328);
  --_muted: var(--smart-tags-muted, #57606a);
  --_border: var(--smart-tags-border, #d0d7de);
  --_surface: var(--smart-tags-surface, #f6f8fa);
  --_danger: var(--smart-tags-danger, #b42318);
  --_success: var(--smart-tags-success, #1a7f37);
  --_thumb: var(--smart-tags-thumbnail-size, 96px);
  --_gap: var(--smart-tags-gap, 12px);
  display: block;
  font-family: var(--_font);
  font-size: var(--smart-tags-font-size, 14px);
  color: var(--_fg);
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.root { display: grid; gap: var(--_gap); }
.drop {
  border: 2px dashed var(--_border);
  border-radius: var(--_radius);
  background: var(--_surface);
  padding: calc(var(--_gap) * 2);
  text-align: center;
  display: grid;
  gap: 8px;
  justify-items: center;
}
.drop.over { border-color: var(--_accent); background: color-mix(in srgb, var(--_accent) 8%, var(--_bg)); }
.drop p { margin: 0; color: var(--_muted); }
button {
  font: inherit;
  border-radius: calc(var(--_radius) * 0.75);
  border: 1px solid var(--_border);
  background: var(--_bg);
  color: var(--_fg);
  padding: 4px 10px;
  cursor: pointer;
}
button:focus-visible, input:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
.pick { background: var(--_accent); color: var(--_accent-fg); border-color: var(--_accent); padding: 8px 16px; }
.history { display: flex; gap: 8px; justify-content: flex-end; }
button:disabled { cursor: default; opacity: 0.55; }
.files { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--_gap); }
.file {
  display: grid;
  grid-template-columns: var(--_thumb) 1fr;
  gap: var(--_gap);
  padding: var(--_gap);
  border: 1px solid var(--_border);
  border-radius: var(--_radius);
  background: var(--_bg);
}
.thumb {
  width: var(--_thumb);
  height: var(--_thumb);
  object-fit: cover;
  border-radius: calc(var(--_radius) * 0.75);
  background: var(--_surface);
}
.body { min-width: 0; display: grid; gap: 6px; align-content: start; }
.head { display: flex; gap: 8px; align-items: baseline; justify-content: space-between; }
.name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.state { color: var(--_muted); white-space: nowrap; }
.file[data-state="failed"] .state, .error { color: var(--_danger); }
.file[data-state="done"] .state { color: var(--_success); }
progress { width: 100%; height: 6px; accent-color: var(--_accent); }
.file[data-state="done"] progress { display: none; }
.error { margin: 0; }
.error:empty, .retry[hidden], .retag[hidden], .steps[hidden] { display: none; }
.steps { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px; }
.step { border: 1px solid var(--_border); border-radius: calc(var(--_radius) * 0.5); padding: 1px 8px; background: var(--_surface); }
.step-failed { border-color: var(--_danger); color: var(--_danger); background: var(--_bg); }
.retag { justify-self: start; }
.tags { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
.tag {
  display: inline-flex;
  align-items: center;
  gap: 6px;
  border: 1px solid var(--_border);
  border-radius: 999px;
  padding: 2px 4px 2px 10px;
  background: var(--_surface);
}
.tag[data-status="accepted"] { border-color: var(--_success); background: color-mix(in srgb, var(--_success) 10%, var(--_bg)); }
.tag[data-status="rejected"] { border-style: dashed; background: var(--_bg); }
.tag[data-status="rejected"] .title { text-decoration: line-through; }
.path { color: var(--_muted); }
.swatch { width: 10px; height: 10px; border-radius: 50%; border: 1px solid var(--_border); }
.confidence { color: var(--_muted); font-variant-numeric: tabular-nums; }
.tag button { padding: 0 6px; border-radius: 999px; line-height: 1.4; }
.tag button[aria-pressed="true"].accept { background: var(--_success); border-color: var(--_success); color: #fff; }
.tag button[aria-pressed="true"].reject { background: var(--_danger); border-color: var(--_danger); color: #fff; }
.summary { color: var(--_muted); margin: 0; }
.summary:empty { display: none; }
.more[hidden] { display: none; }
.more-list { list-style: none; margin: 4px 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px; }
.more-tag { font: inherit; font-size: 0.85em; padding: 2px 8px; border-radius: 12px; cursor: pointer; }
.more-none { font-size: 0.85em; opacity: 0.8; }
.add { display: flex; gap: 6px; position: relative; align-items: center; flex-wrap: wrap; }
.add[hidden] { display: none; }
.add input {
  font: inherit;
  padding: 4px 8px;
  border: 1px solid var(--_border);
  border-radius: calc(var(--_radius) * 0.75);
  min-width: 12em;
  color: var(--_fg);
  background: var(--_bg);
}
.suggestions {
  position: absolute;
  top: 100%;
  left: 0;
  z-index: 1;
  margin: 2px 0 0;
  padding: 4px 0;
  list-style: none;
  min-width: 16em;
  background: var(--_bg);
  border: 1px solid var(--_border);
  border-radius: calc(var(--_radius) * 0.75);
  box-shadow: 0 4px 12px rgb(0 0 0 / 0.12);
}
.suggestions[hidden] { display: none; }
.suggestions li { padding: 4px 10px; cursor: pointer; }
.suggestions li[aria-selected="true"] { background: var(--_accent); color: var(--_accent-fg); }
.suggestions li[aria-selected="true"] .path { color: inherit; }
.visually-hidden {
  position: absolute !important;
  width: 1px; height: 1px;
  overflow: hidden;
  clip: rect(0 0 0 0);
  clip-path: inset(50%);
  white-space: nowrap;
}
`;

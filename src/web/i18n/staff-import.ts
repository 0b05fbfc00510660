// The CSV import's progress on /app: the live text under the bar while the server works through the file.
// Same keys in both languages; i18n.ts puts the parts together.

export const nb = {
  importProgressChecked: "{done} av {total} linjer er sjekket",
  importProgressDone: "{done} av {total} linjer er behandlet",
};

export const en: typeof nb = {
  importProgressChecked: "{done} of {total} lines checked",
  importProgressDone: "{done} of {total} lines processed",
};

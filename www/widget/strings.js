// The widget's words, per language, and the number formats of the chosen locale. A locale is
// matched by its language ("fr-CA" → fr); anything else gets English.

import { PEOPLE_WORDS } from './workflow.js';

const en = {
  dropHint: 'Drop images here to tag them',
  choose: 'Choose images',
  files: 'Files',
  states: {
    queued: 'Waiting',
    preparing: 'Preparing',
    uploading: 'Uploading',
    tagging: 'Tagging',
    done: 'Done',
    failed: 'Failed',
  },
  progress: (name) => `Progress of ${name}`,
  retry: 'Retry',
  retryFile: (name) => `Retry ${name}`,
  retag: 'Re-tag',
  retagFile: (name) => `Re-tag ${name}`,
  workflowSteps: { thumbnails: 'Thumbnails', smart_tags: 'Smart tags', scenes: 'Scenes', people: 'People', text: 'Text', color_tags: 'Colour tags' },
  people: PEOPLE_WORDS,
  textLine: (words) => `Text: ${words}`,
  duplicateLine: (names) => `Duplicate of ${names}`,
  storedImage: (hash) => `a stored image (${hash}…)`,
  stepStatus: { succeeded: 'done', failed: 'failed', skipped: 'skipped' },
  stepsOf: (name) => `Workflow steps of ${name}`,
  browserColors: (list) => `Colours measured in the browser: ${list}`,
  tagsOf: (name) => `Suggested tags for ${name}`,
  accept: (title) => `Accept ${title}`,
  reject: (title) => `Reject ${title}`,
  accepted: 'accepted',
  rejected: 'rejected',
  added: 'added',
  addTag: 'Add a tag',
  add: 'Add',
  noSuggestion: 'No matching tag',
  moreSuggestions: 'More suggestions',
  moreSuggestionsFor: (name) => `More suggestions for ${name}: tags below the threshold`,
  noMoreSuggestions: 'No more suggestions',
  addSuggestion: (title, percent) => `Add ${title} ${percent}`,
  undo: 'Undo',
  redo: 'Redo',
  undoStep: (step) => `Undo ${step}`,
  redoStep: (step) => `Redo ${step}`,
  history: 'Review history',
  steps: {
    accept: (title) => `accept ${title}`,
    reject: (title) => `reject ${title}`,
    add: (title) => `add ${title}`,
  },
  hiddenBelow: (count, threshold) => `${count} below ${threshold}`,
  sources: { taxonomy: 'Taxonomy', generic: 'Generic', color: 'Colour', manual: 'Manual', trained: 'Trained' },
  announce: {
    added: (name) => `${name} added`,
    tagged: (name, count) => `${name} tagged: ${count} ${count === 1 ? 'tag' : 'tags'}`,
    failed: (name, message) => `${name} failed: ${message}`,
    accepted: (title) => `Accepted ${title}`,
    rejected: (title) => `Rejected ${title}`,
    addedTag: (title) => `Added ${title}`,
    undone: (step, name) => `Undone: ${step} on ${name}`,
    redone: (step, name) => `Redone: ${step} on ${name}`,
    suggestions: (count) => `${count} ${count === 1 ? 'suggestion' : 'suggestions'}`,
    more: (count, name) => `${count} more ${count === 1 ? 'suggestion' : 'suggestions'} for ${name}, best first`,
    stepFailed: (name, line) => `${name}: ${line}`,
  },
  errors: {
    network: 'the tagging server cannot be reached',
    request: (status) => `the request failed (${status})`,
    unknownTag: 'choose a tag from the suggestions',
  },
};

const fr = {
  dropHint: 'Déposez des images ici pour les étiqueter',
  choose: 'Choisir des images',
  files: 'Fichiers',
  states: {
    queued: 'En attente',
    preparing: 'Préparation',
    uploading: 'Envoi',
    tagging: 'Étiquetage',
    done: 'Terminé',
    failed: 'Échec',
  },
  progress: (name) => `Progression de ${name}`,
  retry: 'Réessayer',
  retryFile: (name) => `Réessayer ${name}`,
  retag: 'Réétiqueter',
  retagFile: (name) => `Réétiqueter ${name}`,
  workflowSteps: { thumbnails: 'Vignettes', smart_tags: 'Étiquettes intelligentes', scenes: 'Scènes', people: 'Personnes', text: 'Texte', color_tags: 'Couleurs' },
  textLine: (words) => `Texte : ${words}`,
  duplicateLine: (names) => `Doublon de ${names}`,
  storedImage: (hash) => `une image enregistrée (${hash}…)`,
  people: {
    none: 'Personne trouvée',
    faces: (n) => (n === 0 ? 'aucun visage vu' : n === 1 ? '1 visage' : `${n} visages`),
    persons: (n) => (n === 1 ? '1 personne' : `${n} personnes`),
    line: (text) => `Personnes : ${text}`,
  },
  stepStatus: { succeeded: 'faites', failed: 'en échec', skipped: 'ignorées' },
  stepsOf: (name) => `Étapes du workflow de ${name}`,
  browserColors: (list) => `Couleurs mesurées dans le navigateur : ${list}`,
  tagsOf: (name) => `Étiquettes suggérées pour ${name}`,
  accept: (title) => `Accepter ${title}`,
  reject: (title) => `Refuser ${title}`,
  accepted: 'acceptée',
  rejected: 'refusée',
  added: 'ajoutée',
  addTag: 'Ajouter une étiquette',
  add: 'Ajouter',
  noSuggestion: 'Aucune étiquette correspondante',
  moreSuggestions: 'Plus de suggestions',
  moreSuggestionsFor: (name) => `Plus de suggestions pour ${name} : étiquettes sous le seuil`,
  noMoreSuggestions: 'Aucune autre suggestion',
  addSuggestion: (title, percent) => `Ajouter ${title} ${percent}`,
  undo: 'Annuler',
  redo: 'Rétablir',
  undoStep: (step) => `Annuler ${step}`,
  redoStep: (step) => `Rétablir ${step}`,
  history: 'Historique de la revue',
  steps: {
    accept: (title) => `l’acceptation de ${title}`,
    reject: (title) => `le refus de ${title}`,
    add: (title) => `l’ajout de ${title}`,
  },
  hiddenBelow: (count, threshold) => `${count} sous ${threshold}`,
  sources: { taxonomy: 'Taxonomie', generic: 'Générique', color: 'Couleur', manual: 'Manuelle', trained: 'Entraînée' },
  announce: {
    added: (name) => `${name} ajouté`,
    tagged: (name, count) => `${name} étiqueté : ${count} ${count <= 1 ? 'étiquette' : 'étiquettes'}`,
    failed: (name, message) => `Échec de ${name} : ${message}`,
    accepted: (title) => `${title} acceptée`,
    rejected: (title) => `${title} refusée`,
    addedTag: (title) => `${title} ajoutée`,
    undone: (step, name) => `Annulé : ${step} sur ${name}`,
    redone: (step, name) => `Rétabli : ${step} sur ${name}`,
    suggestions: (count) => `${count} ${count <= 1 ? 'suggestion' : 'suggestions'}`,
    more: (count, name) => `${count} ${count <= 1 ? 'autre suggestion' : 'autres suggestions'} pour ${name}, la meilleure d'abord`,
    stepFailed: (name, line) => `${name} : ${line}`,
  },
  errors: {
    network: 'le serveur d’étiquetage est injoignable',
    request: (status) => `la requête a échoué (${status})`,
    unknownTag: 'choisissez une étiquette parmi les suggestions',
  },
};

export const LOCALES = { en, fr };

/** The strings and formatters for a BCP-47 locale, falling back to English. */
export function stringsFor(locale) {
  const requested = typeof locale === 'string' && locale.trim() ? locale.trim() : 'en';
  const language = requested.toLowerCase().split(/[-_]/)[0];
  const table = LOCALES[language] ?? en;
  const formatLocale = LOCALES[language] ? safeLocale(requested) : 'en';
  const percent = new Intl.NumberFormat(formatLocale, { style: 'percent', maximumFractionDigits: 0 });
  const integer = new Intl.NumberFormat(formatLocale);
  const bytes = new Intl.NumberFormat(formatLocale, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 });
  return {
    ...table,
    language: LOCALES[language] ? language : 'en',
    locale: formatLocale,
    percent: (value) => percent.format(value),
    count: (value) => integer.format(value),
    kilobytes: (size) => bytes.format(size / 1024),
  };
}

function safeLocale(locale) {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

// Tornado's template language.
public enum TemplatesPlaceholder {}

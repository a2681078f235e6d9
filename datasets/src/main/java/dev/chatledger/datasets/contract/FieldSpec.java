package dev.chatledger.datasets.contract;

import java.util.List;

/**
 * One field of a landed feed: its JSON path, shape, whether it is required and, for enums, the
 * allowed values. Conditional requirements (identity, template objects) live in {@link Feed}.
 */
public record FieldSpec(String path, FieldType type, boolean required, List<String> allowed) {

  public static FieldSpec required(String path, FieldType type) {
    return new FieldSpec(path, type, true, List.of());
  }

  public static FieldSpec optional(String path, FieldType type) {
    return new FieldSpec(path, type, false, List.of());
  }

  public static FieldSpec requiredEnum(String path, String... allowed) {
    return new FieldSpec(path, FieldType.STRING, true, List.of(allowed));
  }

  public static FieldSpec optionalEnum(String path, String... allowed) {
    return new FieldSpec(path, FieldType.STRING, false, List.of(allowed));
  }

  public boolean isEnum() {
    return !allowed.isEmpty();
  }

  /** The column name this field gets once parsed: {@code template.category -> template_category}. */
  public String column() {
    return path.replace('.', '_');
  }
}

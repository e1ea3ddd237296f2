package io.terraseg;

/**
 * A problem the user can fix (bad input, bad option, unwritable output). Its message is the one
 * line the CLI prints, so it always names the file or option at fault; the stack trace goes to the
 * log only.
 */
public class TerraSegException extends RuntimeException {
  public TerraSegException(String message) {
    super(message);
  }

  public TerraSegException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The first line of a library's exception message, short enough to sit inside one of ours. */
  public static String describe(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String first =
        m.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().orElse(m).trim();
    return first.length() > 300 ? first.substring(0, 300) + "..." : first;
  }
}

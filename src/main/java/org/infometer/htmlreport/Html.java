package org.infometer.htmlreport;

import java.util.List;
import java.util.Locale;

/** Small HTML-building helpers: every value is escaped, so a token or reason cannot break the page. */
final class Html {

    private Html() {
    }

    static String esc(Object o) {
        String s = String.valueOf(o);
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String num(Object o) {
        if (o == null) {
            return "";
        }
        if (o instanceof Double d) {
            return Double.isNaN(d) ? "NaN" : String.format(Locale.ROOT, "%.4f", d);
        }
        return esc(o);
    }

    static String table(List<String> header, List<List<Object>> rows) {
        StringBuilder b = new StringBuilder("<table><tr>");
        header.forEach(h -> b.append("<th>").append(esc(h)).append("</th>"));
        b.append("</tr>\n");
        for (List<Object> r : rows) {
            b.append("<tr>");
            for (Object v : r) {
                boolean notOk = v instanceof String s && (s.equals("unreliable") || s.equals("failed"));
                b.append(notOk ? "<td class=\"bad\">" : "<td>").append(num(v)).append("</td>");
            }
            b.append("</tr>\n");
        }
        return b.append("</table>\n").toString();
    }
}

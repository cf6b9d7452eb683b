import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.util.WriterReportImpl;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Validates one EPUB per line of standard input; answers "ok" or "fail <messages>" on one line each. */
public class EpubCheckLoop {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        PrintWriter out = new PrintWriter(System.out, true);
        String path;
        while ((path = in.readLine()) != null) {
            StringWriter messages = new StringWriter();
            WriterReportImpl report = new WriterReportImpl(new PrintWriter(messages), path, true);
            new EpubCheck(new File(path), report).doValidate();
            int problems = report.getFatalErrorCount() + report.getErrorCount() + report.getWarningCount();
            out.println(problems == 0 ? "ok" : "fail " + messages.toString().replace('\n', ' '));
        }
    }
}

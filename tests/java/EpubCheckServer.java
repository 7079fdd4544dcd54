import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One JVM that runs EPUBCheck's own command line (com.adobe.epubcheck.tool.EpubChecker) once per
 * request, so a test session pays the JVM start and EPUBCheck's schema loading once, not per EPUB.
 * Request: one line on stdin, the arguments separated by tabs (the EPUB's path last, as on the
 * command line). Reply on stdout: what that run printed on its stdout, a line "\u0000ERR", what it
 * printed on its stderr, then a line "\u0000END <exit code>". Run with the EPUBCheck jar on the class
 * path: java -cp epubcheck.jar EpubCheckServer.java (the JRE runs a single source file as it is).
 */
public final class EpubCheckServer {
    public static void main(String[] argv) throws Exception {
        PrintStream reply = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
        BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = requests.readLine()) != null) {
            ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
            PrintStream runOut = new PrintStream(stdout, true, "UTF-8"), runErr = new PrintStream(stderr, true, "UTF-8");
            PrintStream out = System.out, err = System.err;
            System.setOut(runOut);
            System.setErr(runErr);
            int code;
            try {
                code = new com.adobe.epubcheck.tool.EpubChecker().run(line.split("\t"));
            } catch (Throwable failure) {
                failure.printStackTrace(runErr);
                code = -1;
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            runOut.flush();
            runErr.flush();
            reply.print(stdout.toString(StandardCharsets.UTF_8));
            reply.print("\n\u0000ERR\n");
            reply.print(stderr.toString(StandardCharsets.UTF_8));
            reply.print("\n\u0000END " + code + "\n");
            reply.flush();
        }
    }
}

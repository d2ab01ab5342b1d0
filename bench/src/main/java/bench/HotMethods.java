package bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples are: {@code HotMethods <file.jfr> [top]} prints the methods with
 * the most samples on top of the stack (self), then the methods and the packages most often anywhere on
 * it (total), and the threads they ran on, each as a share of all samples of threads running Java code.
 */
public final class HotMethods {

    public static void main(String[] args) throws Exception {
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        Map<String, Integer> packages = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int samples = 0;
        for (var event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            var thread = event.getThread("sampledThread");
            threads.merge(thread == null ? "?" : thread.getJavaName().replaceAll("\\d+", "N"), 1, Integer::sum);
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> methods = new HashSet<>();
            Set<String> seenPackages = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String method = name(frame);
                if (methods.add(method)) {
                    total.merge(method, 1, Integer::sum);
                }
                String type = frame.getMethod().getType().getName();
                int dot = type.lastIndexOf('.');
                String pkg = dot < 0 ? type : type.substring(0, dot);
                if (seenPackages.add(pkg)) {
                    packages.merge(pkg, 1, Integer::sum);
                }
            }
        }
        System.out.printf("%d samples%n", samples);
        print("threads", threads, samples, top);
        print("self", self, samples, top);
        print("total", total, samples, top);
        print("packages (total)", packages, samples, top);
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int top) {
        System.out.printf("%n-- %s%n", title);
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        for (var entry : sorted.subList(0, Math.min(top, sorted.size()))) {
            System.out.printf("%6.1f%%  %s%n", 100.0 * entry.getValue() / samples, entry.getKey());
        }
    }
}

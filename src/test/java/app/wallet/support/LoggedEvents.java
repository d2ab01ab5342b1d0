package app.wallet.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

/** What one logger logs while this is open, each event with the logging context (MDC) it was logged in. */
public final class LoggedEvents extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final Logger logger;

    private LoggedEvents(Logger logger) {
        this.logger = logger;
    }

    public static LoggedEvents of(Class<?> type) {
        LoggedEvents appender = new LoggedEvents((Logger) LoggerFactory.getLogger(type));
        appender.start();
        appender.logger.addAppender(appender);
        return appender;
    }

    /** Everything every logger logs, as far as the levels let it through. */
    public static LoggedEvents all() {
        LoggedEvents appender = new LoggedEvents((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
        appender.start();
        appender.logger.addAppender(appender);
        return appender;
    }

    public List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();   // the MDC is read now, on the thread that logged
        events.add(event);
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}

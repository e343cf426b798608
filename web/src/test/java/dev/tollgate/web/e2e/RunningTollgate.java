package dev.tollgate.web.e2e;

import dev.tollgate.web.TollgateApplication;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real application, booted as a user would boot it (same main class, same configuration files), on a random
 * port. Storage is whatever the given properties say: the embedded default or a PostgreSQL database.
 */
public final class RunningTollgate implements AutoCloseable {
    public static final String ADMIN_EMAIL = "admin@tollgate.test";
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";

    private final ConfigurableApplicationContext context;
    public final Http http;

    private final int port;

    private RunningTollgate(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.http = new Http(port);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public static RunningTollgate start(Map<String, String> storage) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("server.port", "0");
        properties.put("tollgate.admin.email", ADMIN_EMAIL);
        properties.put("tollgate.admin.password", ADMIN_PASSWORD);
        properties.putAll(storage);
        // Command-line arguments, as an operator would pass them: they outrank application.yml.
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(TollgateApplication.class).run(args);
        return new RunningTollgate(context);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    Object bean(String name) {
        return context.getBean(name);
    }

    java.util.List<String> beanNames(Class<?> type) {
        return java.util.List.of(context.getBeanNamesForType(type));
    }

    java.util.List<String> beanNames(String name) {
        return context.containsBean(name) ? java.util.List.of(name) : java.util.List.of();
    }

    @Override
    public void close() {
        context.close();
    }
}

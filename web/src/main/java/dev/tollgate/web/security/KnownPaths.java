package dev.tollgate.web.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.web.http.ErrorBody;
import dev.tollgate.web.http.RoutingErrors;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.stereotype.Component;
import org.springframework.util.AntPathMatcher;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.mvc.condition.PathPatternsRequestCondition;
import org.springframework.web.servlet.mvc.condition.PatternsRequestCondition;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.UrlPathHelper;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.bind.annotation.RequestMethod;

/**
 * Whether any controller (or actuator endpoint) serves a path, by any method. Asked only when a request has been
 * refused credentials or a role: a path that nothing serves is answered 404, in its surface's shape, as it would be
 * past the checks. A path that something serves keeps its 401 or 403, whatever its method; and nothing is let
 * through the checks by this, it only changes which refusal is written.
 */
@Component
public class KnownPaths {
    private static final AntPathMatcher ANT = new AntPathMatcher();

    private final ObjectProvider<RequestMappingInfoHandlerMapping> mappings;
    private final ObjectProvider<RoutingErrors> surfaces;
    private final ObjectMapper mapper;
    private volatile List<Mapped> served;

    /** A mapped path pattern and the methods its handler takes (none named: any). */
    private record Mapped(Predicate<HttpServletRequest> path, Set<RequestMethod> methods) {
    }

    public KnownPaths(ObjectProvider<RequestMappingInfoHandlerMapping> mappings, ObjectProvider<RoutingErrors> surfaces,
                      ObjectMapper mapper) {
        this.mappings = mappings;
        this.surfaces = surfaces;
        this.mapper = mapper;
    }

    /** Whether some handler's path pattern matches the request's path, whatever the method. */
    public boolean served(HttpServletRequest request) {
        return patterns().stream().anyMatch(mapped -> mapped.path().test(request));
    }

    /**
     * The methods the handlers of the request's path take, in a stable order (GET, HEAD, POST, PUT, PATCH, DELETE,
     * OPTIONS); all of them when a handler names none. Empty when nothing serves the path.
     */
    public List<String> methods(HttpServletRequest request) {
        java.util.EnumSet<RequestMethod> methods = java.util.EnumSet.noneOf(RequestMethod.class);
        for (Mapped mapped : patterns()) {
            if (mapped.path().test(request)) {
                methods.addAll(mapped.methods().isEmpty()
                        ? java.util.EnumSet.of(RequestMethod.GET, RequestMethod.HEAD, RequestMethod.POST,
                                RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE, RequestMethod.OPTIONS)
                        : mapped.methods());
            }
        }
        methods.remove(RequestMethod.TRACE);
        return methods.stream().map(RequestMethod::name).toList();
    }

    /**
     * Answers a method that the firewall refuses before any handler is looked up (TRACE, or one HTTP does not define):
     * 405 with the path's own {@code Allow}, in the surface's shape, as a wrong method on that path is answered; 404
     * when nothing serves the path.
     */
    public void answerWrongMethod(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> allowed = methods(request);
        if (allowed.isEmpty()) {
            answeredAsUnknown(request, response);
            return;
        }
        org.springframework.web.HttpRequestMethodNotSupportedException wrong =
                new org.springframework.web.HttpRequestMethodNotSupportedException(request.getMethod(), allowed);
        for (RoutingErrors surface : surfaces) {
            if (surface.resolveException(request, response, null, wrong) != null) {
                return;
            }
        }
        response.setHeader(HttpHeaders.ALLOW, String.join(",", allowed));
        ErrorBody.write(response, mapper, 405, "method_not_allowed",
                "Method " + request.getMethod() + " is not allowed here.");
    }

    /** Answers 404 in the surface's own shape when nothing serves the path; false (and nothing written) otherwise. */
    public boolean answeredAsUnknown(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (served(request)) {
            return false;
        }
        NoHandlerFoundException unknown = new NoHandlerFoundException(request.getMethod(), request.getRequestURI(),
                new HttpHeaders());
        for (RoutingErrors surface : surfaces) {
            if (surface.resolveException(request, response, null, unknown) != null) {
                return true;
            }
        }
        ErrorBody.write(response, mapper, 404, "not_found", "No such path.");
        return true;
    }

    private List<Mapped> patterns() {
        List<Mapped> known = served;
        if (known == null) {
            // Read once, on the first refusal: every handler is mapped by then, and mappings do not change.
            known = new ArrayList<>();
            for (RequestMappingInfoHandlerMapping mapping : mappings) {
                for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                    Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                    PathPatternsRequestCondition parsed = info.getPathPatternsCondition();
                    if (parsed != null) {
                        for (PathPattern pattern : parsed.getPatterns()) {
                            known.add(new Mapped(request -> pattern.matches(pathWithinApplication(request)), methods));
                        }
                    }
                    PatternsRequestCondition ant = info.getPatternsCondition();
                    if (ant != null) {
                        Set<String> values = ant.getPatterns();
                        for (String pattern : values) {
                            known.add(new Mapped(request -> ANT.match(pattern,
                                    UrlPathHelper.defaultInstance.getPathWithinApplication(request)), methods));
                        }
                    }
                }
            }
            served = List.copyOf(known);
        }
        return known;
    }

    private static PathContainer pathWithinApplication(HttpServletRequest request) {
        return RequestPath.parse(request.getRequestURI(), request.getContextPath()).pathWithinApplication();
    }
}

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
    private volatile List<Predicate<HttpServletRequest>> served;

    public KnownPaths(ObjectProvider<RequestMappingInfoHandlerMapping> mappings, ObjectProvider<RoutingErrors> surfaces,
                      ObjectMapper mapper) {
        this.mappings = mappings;
        this.surfaces = surfaces;
        this.mapper = mapper;
    }

    /** Whether some handler's path pattern matches the request's path, whatever the method. */
    public boolean served(HttpServletRequest request) {
        return patterns().stream().anyMatch(pattern -> pattern.test(request));
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

    private List<Predicate<HttpServletRequest>> patterns() {
        List<Predicate<HttpServletRequest>> known = served;
        if (known == null) {
            // Read once, on the first refusal: every handler is mapped by then, and mappings do not change.
            known = new ArrayList<>();
            for (RequestMappingInfoHandlerMapping mapping : mappings) {
                for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                    PathPatternsRequestCondition parsed = info.getPathPatternsCondition();
                    if (parsed != null) {
                        for (PathPattern pattern : parsed.getPatterns()) {
                            known.add(request -> pattern.matches(pathWithinApplication(request)));
                        }
                    }
                    PatternsRequestCondition ant = info.getPatternsCondition();
                    if (ant != null) {
                        Set<String> values = ant.getPatterns();
                        for (String pattern : values) {
                            known.add(request -> ANT.match(pattern,
                                    UrlPathHelper.defaultInstance.getPathWithinApplication(request)));
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

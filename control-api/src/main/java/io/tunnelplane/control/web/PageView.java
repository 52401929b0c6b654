package io.tunnelplane.control.web;

import java.util.List;
import org.springframework.data.domain.Page;

/** A page of results with a stable JSON shape: {@code content} plus the paging numbers. */
public record PageView<T>(List<T> content, int page, int size, long totalElements, int totalPages) {
    public static <T> PageView<T> of(Page<T> page) {
        return new PageView<>(page.getContent(), page.getNumber(), page.getSize(), page.getTotalElements(),
                page.getTotalPages());
    }
}

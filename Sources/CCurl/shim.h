#ifndef SPOTTER_CCURL_SHIM_H
#define SPOTTER_CCURL_SHIM_H

#include <curl/curl.h>

// Swift cannot call C variadic functions such as curl_easy_setopt, so each option Spotter
// uses gets a typed, static inline wrapper.

typedef size_t (*spotter_curl_write_callback)(char *, size_t, size_t, void *);

static inline CURLcode spotter_curl_set_url(CURL *curl, const char *url) {
    return curl_easy_setopt(curl, CURLOPT_URL, url);
}
static inline CURLcode spotter_curl_set_method(CURL *curl, const char *method) {
    return curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
}
static inline CURLcode spotter_curl_set_get(CURL *curl) {
    return curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
}
static inline CURLcode spotter_curl_set_body(CURL *curl, const char *data, long length) {
    CURLcode code = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, length);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, data);
}
static inline CURLcode spotter_curl_set_headers(CURL *curl, struct curl_slist *headers) {
    return curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
}
static inline CURLcode spotter_curl_set_write_function(CURL *curl, spotter_curl_write_callback callback, void *context) {
    CURLcode code = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, callback);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(curl, CURLOPT_WRITEDATA, context);
}
static inline CURLcode spotter_curl_set_header_function(CURL *curl, spotter_curl_write_callback callback, void *context) {
    CURLcode code = curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, callback);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(curl, CURLOPT_HEADERDATA, context);
}
static inline CURLcode spotter_curl_set_timeouts(CURL *curl, long connect_ms, long total_ms) {
    CURLcode code = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_ms);
}
static inline CURLcode spotter_curl_set_nosignal(CURL *curl) {
    return curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
}
static inline CURLcode spotter_curl_set_max_response(CURL *curl, long bytes) {
    return curl_easy_setopt(curl, CURLOPT_MAXFILESIZE, bytes);
}
static inline CURLcode spotter_curl_get_status(CURL *curl, long *status) {
    return curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
}
static inline CURLcode spotter_curl_get_connects(CURL *curl, long *count) {
    return curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, count);
}

#endif

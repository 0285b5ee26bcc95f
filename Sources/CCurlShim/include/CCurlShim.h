// Typed wrappers for libcurl's variadic functions, which Swift cannot call directly.
// One function per argument type; each forwards to the variadic call with the exact C type curl expects.
#ifndef FLOW_CCURLSHIM_H
#define FLOW_CCURLSHIM_H

#include <curl/curl.h>

/// curl_global_init(CURL_GLOBAL_ALL): the macro is not importable into Swift.
CURLcode flow_curl_global_init(void);

CURLcode flow_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode flow_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode flow_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode flow_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode flow_curl_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback);
CURLcode flow_curl_easy_setopt_read_callback(CURL *handle, CURLoption option, curl_read_callback callback);

CURLcode flow_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode flow_curl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode flow_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
/// The string belongs to the easy handle and stays valid until the handle is reset or cleaned up.
CURLcode flow_curl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value);

CURLMcode flow_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
CURLMcode flow_curl_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value);

#endif

package dev.trainerd.store;

import dev.trainerd.data.DatasetMetadata;
import java.util.List;

/**
 * One page of a dataset listing.
 *
 * @param datasets the datasets on this page, oldest first (create time, then id)
 * @param nextPageToken opaque token for the next page; empty on the last page
 */
public record DatasetPage(List<DatasetMetadata> datasets, String nextPageToken) {
  public DatasetPage {
    datasets = List.copyOf(datasets);
    nextPageToken = nextPageToken == null ? "" : nextPageToken;
  }
}

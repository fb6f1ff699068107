#pragma once
// A map kept as a sorted vector, for the kernel's small per-request tables (a handful of entries at a
// time, one insert and one erase per message): no node allocation per entry, and the same ascending
// iteration order as std::map. Unlike std::map, inserting or erasing moves entries: references and
// iterators are valid only until the next insert or erase.
#include <algorithm>
#include <utility>
#include <vector>

namespace pairsim::cpu {

template <typename K, typename V>
class FlatMap {
 public:
  using value_type = std::pair<K, V>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  void clear() { items_.clear(); }

  iterator find(const K& k) {
    auto it = lower(k);
    return it != items_.end() && it->first == k ? it : items_.end();
  }
  const_iterator find(const K& k) const {
    auto it = std::lower_bound(items_.begin(), items_.end(), k, Less{});
    return it != items_.end() && it->first == k ? it : items_.end();
  }
  // The entry for k, default-constructed if there was none (keys usually come in ascending order: then
  // this appends).
  V& operator[](const K& k) {
    if (items_.empty() || items_.back().first < k) return items_.emplace_back(k, V{}).second;
    auto it = lower(k);
    if (it == items_.end() || it->first != k) it = items_.emplace(it, k, V{});
    return it->second;
  }
  iterator erase(iterator it) { return items_.erase(it); }
  std::size_t erase(const K& k) {
    auto it = find(k);
    if (it == items_.end()) return 0;
    items_.erase(it);
    return 1;
  }

 private:
  struct Less {
    bool operator()(const value_type& a, const K& k) const { return a.first < k; }
  };
  iterator lower(const K& k) { return std::lower_bound(items_.begin(), items_.end(), k, Less{}); }
  std::vector<value_type> items_;
};

}  // namespace pairsim::cpu

// Parallel STREAM decryption with constant memory: a reader thread fills a fixed ring of
// batches, worker threads decrypt whole batches, and the calling thread releases them strictly
// in order. Memory is bounded by options.batches * options.batch_chunks chunks whatever the
// file size; buffers are reused (never reallocated) and wiped when freed.

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <vps/formats/age/stream_chunk.hpp>

namespace vps::formats::age::detail {
namespace {

enum class SlotState { free, filled, decrypting, done };

class Pipeline {
 public:
  Pipeline(const SecretArray<32>& key, ByteSource& in, const StreamOptions& options)
      : m_key(key), m_reader(in, std::max<std::size_t>(1, options.batch_chunks)),
        m_slots(std::max<std::size_t>(2, options.batches)), m_cancel(options.cancel) {
    for (std::size_t i = 0; i < m_slots.size(); ++i) m_free.push_back(i);
  }

  Status run(ByteSink& out, unsigned workers) {
    std::thread reader([this] { read_loop(); });
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < workers; ++i) pool.emplace_back([this] { work_loop(); });
    Status result = write_loop(out);
    stop();
    reader.join();
    for (auto& t : pool) t.join();
    return result;
  }

 private:
  struct Slot {
    Batch batch;
    SlotState state = SlotState::free;
    std::uint64_t seq = 0;
  };

  void stop() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    if (m_cancel) m_cancel->store(true);
    m_cv.notify_all();
  }

  void read_loop() {
    for (std::uint64_t seq = 0;; ++seq) {
      std::size_t index = 0;
      {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return m_stop || !m_free.empty(); });
        if (m_stop) break;
        index = m_free.back();
        m_free.pop_back();
      }
      Slot& slot = m_slots[index];
      m_reader.fill(slot.batch);
      const bool end = slot.batch.end;
      {
        std::lock_guard lock(m_mutex);
        slot.seq = seq;
        slot.state = SlotState::filled;
        m_work.push_back(index);
      }
      m_cv.notify_all();
      if (end) break;
    }
    std::lock_guard lock(m_mutex);
    m_reader_done = true;
    m_cv.notify_all();
  }

  void work_loop() {
    for (;;) {
      std::size_t index = 0;
      {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return m_stop || !m_work.empty() || m_reader_done; });
        if (m_stop || m_work.empty()) break;
        index = m_work.front();
        m_work.erase(m_work.begin());
        m_slots[index].state = SlotState::decrypting;
      }
      Batch& batch = m_slots[index].batch;
      for (Chunk& chunk : batch.chunks) decrypt_chunk(m_key, batch, chunk);
      {
        std::lock_guard lock(m_mutex);
        m_slots[index].state = SlotState::done;
      }
      m_cv.notify_all();
    }
  }

  Status write_loop(ByteSink& out) {
    for (std::uint64_t next = 0;; ++next) {
      std::size_t index = 0;
      {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return find_done(next, index); });
      }
      Result<bool> released = release_batch(m_slots[index].batch, out);
      if (!released) return fail(released.error());
      if (*released) return {};
      {
        std::lock_guard lock(m_mutex);
        m_slots[index].state = SlotState::free;
        m_free.push_back(index);
      }
      m_cv.notify_all();
    }
  }

  bool find_done(std::uint64_t seq, std::size_t& index) const {
    for (std::size_t i = 0; i < m_slots.size(); ++i)
      if (m_slots[i].state == SlotState::done && m_slots[i].seq == seq) {
        index = i;
        return true;
      }
    return false;
  }

  const SecretArray<32>& m_key;
  BatchReader m_reader;
  std::vector<Slot> m_slots;
  std::atomic<bool>* m_cancel;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::vector<std::size_t> m_free;
  std::vector<std::size_t> m_work;
  bool m_stop = false;
  bool m_reader_done = false;
};

}  // namespace

Status decrypt_parallel(const SecretArray<32>& key, ByteSource& in, ByteSink& out, const StreamOptions& options) {
  Pipeline pipeline(key, in, options);
  return pipeline.run(out, options.threads);
}

}  // namespace vps::formats::age::detail
